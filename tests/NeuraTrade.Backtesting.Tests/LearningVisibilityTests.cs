using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// With <c>AI:EnableLearning</c> a backtest's brain is shown the learning context of the run's own outcomes, and never an
/// outcome resolved after the decision it is asked for: every trade in every context resolved at or before the market
/// time of the question.
/// </summary>
public sealed class LearningVisibilityTests
{
    [Fact]
    public async Task A_backtest_brain_sees_only_outcomes_resolved_by_its_decision_time()
    {
        var settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", [.. Bundled.Btc]));
        var clock = BacktestSessionFactory.ClockFor(settings);
        var brain = new WatchingBrain(new RulesBrain(), clock);
        var session = BacktestSessionFactory.Create(settings, brain, new ScalpingOptions(), new BrainOptions { EnableLearning = true }, new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), clock);

        await new BacktestRunner(session, settings).RunAsync(null, CancellationToken.None);

        var seen = brain.Seen.Where(s => s.Learning is not null).ToList();
        Assert.True(session.Outcomes.All.Count > 3, $"{session.Outcomes.All.Count} outcomes");
        Assert.True(seen.Count > 10, $"{seen.Count} decisions with a learning context");
        Assert.All(seen, s => Assert.All(s.Learning!.Recent, r => Assert.True(r.ResolvedAt <= s.At, $"{r.ResolvedAt:O} shown at {s.At:O}")));
        // The context grows as trades resolve: the last decisions see more trades than the first ones did.
        Assert.True(seen[^1].Learning!.Stats!.Trades > seen[0].Learning!.Stats!.Trades);
        Assert.True(seen[^1].Learning!.Stats!.Trades <= session.Outcomes.All.Count(o => o.ResolvedAt <= seen[^1].At));
    }

    private sealed class WatchingBrain(ITradingBrain inner, TimeProvider clock) : ITradingBrain
    {
        public List<(DateTimeOffset At, LearningContext? Learning)> Seen { get; } = [];

        public string Model => inner.Model;

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            Seen.Add((clock.GetUtcNow(), request.Learning));
            return inner.ProposeAsync(request, cancellationToken);
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => inner.AnalyzeAsync(market, cancellationToken);
    }
}
