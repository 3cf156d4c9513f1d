using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The economy screen through the whole engine, on 600 real candles of the bundled BTC/USDT 5m file (early January
/// 2023, a quiet market): a paid brain that always holds is asked about every candle without the screen, and with it
/// only about the candles where a target could pay. The screened candles are exactly those where, on the snapshot the
/// brain was shown, 1.5 ATR × √1 (a 5-minute hold on 5-minute candles) is short of the 0.26% a round trip with the
/// default costs needs plus the spread.
/// </summary>
public sealed class EconomyScreenTests
{
    private static readonly BacktestSettings Settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Bundled.Btc.Skip(1000).Take(600).ToArray()));

    [Fact]
    public async Task The_screen_asks_a_paid_brain_only_where_a_target_could_clear_the_costs_and_counts_the_rest()
    {
        var (withoutScreen, all) = await RunAsync(screen: false);
        var (withScreen, asked) = await RunAsync(screen: true);

        Assert.Equal(0, withoutScreen.Metrics.Screened);
        Assert.Equal(all.Count, asked.Count + withScreen.Metrics.Screened);
        Assert.Equal(withoutScreen.Metrics.Decisions, withScreen.Metrics.Decisions);

        // A second, plain reading of each snapshot the unscreened brain saw: reach = 1.5 × ATR / mid, needed = 0.26% + spread.
        var askedAt = asked.Select(m => m.Ticker.Timestamp).ToHashSet();
        var quiet = 0;
        foreach (var market in all)
        {
            if (market.Indicators.Atr is null)
            {
                // Too few candles for an ATR: the screen does not judge, the brain is asked.
                Assert.Contains(market.Ticker.Timestamp, askedAt);
                continue;
            }

            var reach = 1.5m * market.Indicators.Atr!.Value / ((market.Ticker.Bid + market.Ticker.Ask) / 2m) * 100m;
            var needed = 0.26m + ((market.Ticker.Ask - market.Ticker.Bid) / ((market.Ticker.Bid + market.Ticker.Ask) / 2m) * 100m);
            Assert.True(askedAt.Contains(market.Ticker.Timestamp) == (reach >= needed), $"{market.Ticker.Timestamp:O}: reach {reach}%, needed {needed}%");
            quiet += reach < needed ? 1 : 0;
        }

        Assert.Equal(quiet, withScreen.Metrics.Screened);
        // Most of these quiet days cannot pay a round trip: the screen saves most of the calls.
        Assert.True(withScreen.Metrics.Screened > all.Count / 2, $"{withScreen.Metrics.Screened} of {all.Count} screened");
        Assert.True(asked.Count > 0);
    }

    private static async Task<(BacktestReport Report, List<MarketSnapshot> Asked)> RunAsync(bool screen)
    {
        var brain = new HoldingPaidBrain();
        var scalping = new ScalpingOptions { Screen = screen, PositionHoldTime = TimeSpan.FromMinutes(5) };
        var session = BacktestSessionFactory.Create(Settings, brain, scalping, new BrainOptions(), new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(Settings));
        var run = await new BacktestRunner(session, Settings).RunAsync(null, CancellationToken.None);
        return (BacktestReport.Create(run, ScalpingProfiles.Default, null), brain.Asked);
    }

    /// <summary>A brain that is not the rules brain (so the screen stands in front of it), always holds, and keeps what it was shown.</summary>
    private sealed class HoldingPaidBrain : ITradingBrain
    {
        public List<MarketSnapshot> Asked { get; } = [];

        public string Model => "paid-stand-in";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            Asked.Add(request.Market);
            return Task.FromResult(TradeProposal.Hold("flat", string.Empty, Model, 0.5m));
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
