using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The economy screen's arithmetic, on hand-computed cases. With the default costs a round trip costs 2 × 0.1% fees +
/// 2 × 0.02% slippage = 0.24% plus the spread, and a trade must clear that by the 0.02% minimum net edge.
/// </summary>
public sealed class MarketScreenTests
{
    private static readonly MarketScreen FourCandles = new(RoundTripCost.Default, 4m, 1.5m);

    /// <summary>Bid 99.995, ask 100.005: mid 100, spread 0.01 / 100 = 0.01%.</summary>
    private static MarketSnapshot Market(decimal? atr) => new(
        "BTC/USDT",
        new Ticker("BTC/USDT", TestMarket.T0, 99.995m, 100.005m, 100m, 100m, 100m, 1m),
        [],
        new MarketIndicators(100m, 100m, atr, 50m, 0m, atr, 0.01m));

    [Fact]
    public void A_target_within_reach_that_clears_the_costs_is_asked()
    {
        // σ = ATR 0.1 × √4 = 0.2; 1.5σ = 0.3 = 0.3% of 100. Needed: 0.24 + 0.01 spread + 0.02 edge = 0.27%. 0.3 ≥ 0.27.
        Assert.Null(FourCandles.WhyNotAsk(Market(0.1m)));
        Assert.Equal(0.3m, FourCandles.ReachPercent(Market(0.1m)));
        Assert.Equal(0.27m, FourCandles.NeededPercent(Market(0.1m)));
    }

    [Fact]
    public void A_market_too_quiet_for_any_target_to_pay_is_not_asked_and_the_reason_gives_the_figures()
    {
        // σ = 0.08 × 2 = 0.16; 1.5σ = 0.24% < 0.27%.
        var why = FourCandles.WhyNotAsk(Market(0.08m));

        Assert.NotNull(why);
        Assert.StartsWith(MarketScreen.ReasonPrefix, why, StringComparison.Ordinal);
        Assert.Contains("reaches 0.24%", why, StringComparison.Ordinal);
        Assert.Contains("short of the 0.27%", why, StringComparison.Ordinal);
        Assert.Contains("round trip 0.25%", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Exactly_reaching_the_needed_move_is_enough()
    {
        // σ = 0.09 × 2 = 0.18; 1.5σ = 0.27% = needed.
        Assert.Null(FourCandles.WhyNotAsk(Market(0.09m)));
    }

    [Fact]
    public void A_longer_hold_or_a_wider_reach_lets_the_same_market_through()
    {
        // ATR 0.08: 1.5σ over 9 candles = 1.5 × 0.08 × 3 = 0.36% ≥ 0.27; 2σ over 4 candles = 2 × 0.16 = 0.32% ≥ 0.27.
        Assert.Null((FourCandles with { HorizonCandles = 9m }).WhyNotAsk(Market(0.08m)));
        Assert.Null((FourCandles with { ReachSigmas = 2m }).WhyNotAsk(Market(0.08m)));
    }

    [Fact]
    public void Higher_fees_screen_a_market_the_default_fees_let_through()
    {
        // ATR 0.1 reaches 0.3%. At 0.15% per leg: 0.3 + 0.04 + 0.01 + 0.02 = 0.37% needed.
        var dear = FourCandles with { Costs = RoundTripCost.Default with { FeePercent = 0.15m } };
        Assert.Contains("short of the 0.37%", dear.WhyNotAsk(Market(0.1m)), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_ATR_the_screen_does_not_judge()
    {
        Assert.Null(FourCandles.WhyNotAsk(Market(null)));
    }

    [Fact]
    public void A_hold_shorter_than_a_candle_counts_as_one_candle()
    {
        // σ = 0.2 × √1; 1.5σ = 0.3% ≥ 0.27.
        Assert.Null((FourCandles with { HorizonCandles = 0.5m }).WhyNotAsk(Market(0.2m)));
        Assert.Equal(0.3m, (FourCandles with { HorizonCandles = 0.5m }).ReachPercent(Market(0.2m)));
    }

    [Fact]
    public void The_day_counts_of_asked_and_screened_add_up_per_scan_and_restart_at_midnight_UTC()
    {
        var state = ScalpingState.Initial(true, TestMarket.T0)
            .WithScan(TestMarket.T0.AddMinutes(1), "scan 1", asked: 2, screened: 1)
            .WithScan(TestMarket.T0.AddMinutes(2), "scan 2", asked: 0, screened: 3);
        Assert.Equal((2, 4, "scan 2"), (state.AskedToday, state.ScreenedToday, state.LastScanSummary));

        var tomorrow = state.WithScan(TestMarket.T0.AddDays(1), "scan 3", asked: 1, screened: 0);
        Assert.Equal((1, 0), (tomorrow.AskedToday, tomorrow.ScreenedToday));
        Assert.Equal(20m, new ScreenToday(true, 1.5m, 4, 1).SavedPercent);
        Assert.Null(new ScreenToday(true, 1.5m, 0, 0).SavedPercent);
    }
}
