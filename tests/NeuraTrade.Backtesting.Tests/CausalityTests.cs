using NeuraTrade.Backtesting;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting.Tests;

public sealed class CausalityTests
{
    private static readonly Candle[] Span = Bundled.Btc.Take(1500).ToArray();

    [Theory]
    [InlineData(400, 1.07)]
    [InlineData(777, 0.93)]
    [InlineData(1200, 1.02)]
    public async Task Changing_a_later_candle_never_changes_an_earlier_decision(int cut, double factor)
    {
        var original = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span)), keepLog: true);
        var changed = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Distort(Span, cut, (decimal)factor))), keepLog: true);

        // Step t decides 1 ms before candle t closes, i.e. before candle t + 1 opens.
        var firstChanged = Span[cut + 1].OpenTime;
        var before = original.Decisions.Where(d => d.At < firstChanged).ToList();
        var beforeChanged = changed.Decisions.Where(d => d.At < firstChanged).ToList();
        Assert.Equal(cut + 1, before.Count);
        Assert.Equal(before, beforeChanged);
        Assert.Equal(
            original.Report.Trades.Where(t => t.ExitTime < firstChanged),
            changed.Report.Trades.Where(t => t.ExitTime < firstChanged));

        // The change itself matters later on, so the equality above is not vacuous.
        Assert.NotEqual(
            original.Decisions.Where(d => d.At >= firstChanged).Select(d => (d.Action, d.Confidence)),
            changed.Decisions.Where(d => d.At >= firstChanged).Select(d => (d.Action, d.Confidence)));
    }

    [Fact]
    public async Task A_decision_sees_the_candle_in_force_and_only_closed_candles_before_it()
    {
        var seen = new List<(DateTimeOffset Last, DateTimeOffset TickerAt)>();
        var brain = new SpyBrain(seen);
        await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span.Take(100).ToArray())), brain);

        Assert.NotEmpty(seen);
        foreach (var (last, tickerAt) in seen)
        {
            // The last closed candle closed before the decision; the ticker is inside the next candle, before its close.
            Assert.True(last + TimeSpan.FromMinutes(5) <= tickerAt);
            Assert.True(tickerAt < last + TimeSpan.FromMinutes(10));
        }
    }

    /// <summary>Moves every candle after <paramref name="cut"/> by <paramref name="factor"/> (a different future).</summary>
    internal static IReadOnlyList<Candle> Distort(IReadOnlyList<Candle> candles, int cut, decimal factor) =>
        candles.Select((c, i) => i <= cut ? c : c with { Open = c.Open * factor, High = c.High * factor * 1.001m, Low = c.Low * factor * 0.999m, Close = c.Close * factor, Volume = c.Volume * 2m }).ToArray();

    private sealed class SpyBrain(List<(DateTimeOffset, DateTimeOffset)> seen) : NeuraTrade.Core.Brain.ITradingBrain
    {
        private readonly NeuraTrade.Core.Brain.RulesBrain _inner = new();

        public string Model => "spy";

        public Task<NeuraTrade.Core.Brain.TradeProposal> ProposeAsync(NeuraTrade.Core.Brain.BrainRequest request, CancellationToken cancellationToken)
        {
            if (request.Market.Candles.Count > 0)
            {
                seen.Add((request.Market.Candles[^1].OpenTime, request.Market.Ticker.Timestamp));
            }

            return _inner.ProposeAsync(request, cancellationToken);
        }

        public Task<NeuraTrade.Core.Brain.MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => _inner.AnalyzeAsync(market, cancellationToken);
    }
}
