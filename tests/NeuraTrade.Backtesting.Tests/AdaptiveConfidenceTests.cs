using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// <c>AI:AdaptiveMinConfidence</c>: the rule on hand-computed cases (95% Wilson upper bounds worked out below), then an
/// overconfident brain in a backtest, paused by its own losses.
/// </summary>
public sealed class AdaptiveConfidenceTests
{
    private static readonly DateTimeOffset T0 = new(2023, 1, 20, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Fewer_than_ten_confident_entries_leave_the_minimum_where_it_is()
    {
        var verdict = Judge(Trades(9, confidence: 0.8m, wins: 0));

        Assert.Equal((0.6m, false, 9), (verdict.EffectiveMinConfidence, verdict.Paused, verdict.Evidence));
        Assert.Contains("9 resolved entries at or above 0.6", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_stating_0_7_that_won_4_of_10_raise_the_minimum_by_the_gap()
    {
        // 4/10: Wilson upper = (0.4 + 1.96²/20 + 1.96 √(0.4·0.6/10 + 1.96²/400)) / (1 + 1.96²/10) = 0.6873 < 0.7 stated.
        // Raised by 0.7 − 0.4 = 0.3: 0.6 + 0.3 = 0.9, below the cap.
        var verdict = Judge(Trades(10, confidence: 0.7m, wins: 4));

        Assert.Equal((0.9m, false, true), (verdict.EffectiveMinConfidence, verdict.Paused, verdict.Raised));
        Assert.Contains("stated 0.7 on average and won 40%", verdict.Reason, StringComparison.Ordinal);
        Assert.Contains("raised to 0.9", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_stating_0_7_that_won_5_of_10_are_within_chance_and_change_nothing()
    {
        // 5/10: Wilson upper = (0.5 + 0.19208 + 1.96 √(0.025 + 0.009604)) / 1.38416 = 0.7634 ≥ 0.7.
        var verdict = Judge(Trades(10, confidence: 0.7m, wins: 5).Concat(Trades(10, confidence: 0.5m, wins: 0, offset: 100)));

        Assert.Equal((0.6m, false, 10), (verdict.EffectiveMinConfidence, verdict.Paused, verdict.Evidence));
        Assert.Contains("consistent with what they stated", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_stating_0_8_that_won_2_of_10_reach_the_cap_and_pause()
    {
        // 2/10: Wilson upper 0.5098 < 0.8; 0.6 + (0.8 − 0.2) = 1.2, capped at 0.95: paused.
        var verdict = Judge(Trades(10, confidence: 0.8m, wins: 2));

        Assert.Equal((0.95m, true), (verdict.EffectiveMinConfidence, verdict.Paused));
        Assert.Contains("paused until the evidence improves", verdict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Newer_wins_push_the_old_losses_out_of_the_window_and_the_minimum_falls_back()
    {
        // The 20 newest: 10 newer wins and the 10 above (4 wins): 14/20 = 0.7, Wilson upper ≈ 0.85 ≥ 0.7 stated.
        var verdict = Judge(Trades(10, confidence: 0.7m, wins: 4).Concat(Trades(10, confidence: 0.7m, wins: 10, offset: 50)));

        Assert.Equal((0.6m, false, 20), (verdict.EffectiveMinConfidence, verdict.Paused, verdict.Evidence));
    }

    [Fact]
    public async Task An_overconfident_brain_is_paused_by_its_own_losses_and_its_entries_become_learning_holds()
    {
        var settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Bundled.Btc.Skip(3000).Take(600).ToArray()));
        var plain = await RunAsync(settings, adaptive: false);
        var adaptive = await RunAsync(settings, adaptive: true);

        // Without the rule it keeps buying at 0.95 and mostly loses (ArenaTests: about 1 win in 10).
        Assert.True(plain.Report.Metrics.Trades > 50 && plain.Report.Metrics.WinRatePercent < 30m, $"{plain.Report.Metrics.Trades} trades, {plain.Report.Metrics.WinRatePercent}% won");
        // With it, after ten resolved losers the symbol is paused: far fewer trades, and the scans say why.
        Assert.True(adaptive.Report.Metrics.Trades < plain.Report.Metrics.Trades / 2, $"{adaptive.Report.Metrics.Trades} of {plain.Report.Metrics.Trades}");
        Assert.True(adaptive.Report.Metrics.Trades >= AdaptiveConfidence.MinSample);
        var paused = adaptive.Latest.Where(d => d.HoldReason?.StartsWith("pre-filter: learning: ", StringComparison.Ordinal) == true).ToList();
        Assert.NotEmpty(paused);
        Assert.All(paused, d => Assert.Contains("paused until the evidence improves", d.HoldReason, StringComparison.Ordinal));
    }

    private static AdaptiveVerdict Judge(IEnumerable<TradeOutcome> outcomes) => AdaptiveConfidence.Judge("BTC/USDT", TradingStrategy.Scalping, 0.6m, outcomes);

    /// <summary><paramref name="count"/> resolved trades, one a minute from <paramref name="offset"/> minutes, the first <paramref name="wins"/> of them wins.</summary>
    private static IEnumerable<TradeOutcome> Trades(int count, decimal confidence, int wins, int offset = 0) =>
        Enumerable.Range(0, count).Select(i => new TradeOutcome(
            $"d{offset + i:D4}", "BTC/USDT", TradingStrategy.Scalping, "model", confidence, i < wins ? OutcomeResult.Win : OutcomeResult.Loss, PositionSide.Long,
            T0.AddMinutes(offset + i), T0.AddMinutes(offset + i + 1), i < wins ? 1m : -1m, i < wins ? 0.1m : -0.1m, 0.2m, TimeSpan.FromMinutes(1), ExitReason.Timeout, null, null, null, null, 1));

    private static async Task<(BacktestReport Report, IReadOnlyList<TradingDecision> Latest)> RunAsync(BacktestSettings settings, bool adaptive)
    {
        var brain = new AlwaysBuy();
        var scalping = new ScalpingOptions { Screen = false, PositionHoldTime = TimeSpan.FromMinutes(5) };
        var session = BacktestSessionFactory.Create(settings, brain, scalping, new BrainOptions { AdaptiveMinConfidence = adaptive }, new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(settings));
        var run = await new BacktestRunner(session, settings).RunAsync(null, CancellationToken.None);
        return (BacktestReport.Create(run, ScalpingProfiles.Default, null), await session.Decisions.GetLatestAsync("BTC/USDT", 60, CancellationToken.None));
    }

    /// <summary>Buys 10% at the ask every time, stop 0.3% below, target 0.4% above, stating 0.95.</summary>
    private sealed class AlwaysBuy : ITradingBrain
    {
        public string Model => "always-buy";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            var ask = request.Market.Ticker.Ask;
            return Task.FromResult(new TradeProposal(TradeAction.Buy, 10m, ask, Math.Round(ask * 0.997m, 2), Math.Round(ask * 1.004m, 2), 0.95m, "always", string.Empty, "stop 0.3%", Model, 0));
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) =>
            Task.FromException<MarketAnalysis>(new NotSupportedException("only proposes"));
    }
}
