using Microsoft.Extensions.Options;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// What reaches the desk from a brain's arbitrage answer (<see cref="ArbitrageEngine.Check"/>): only a BUY naming a tradable
/// pair of the scan; anything malformed or out of range is a HOLD with the reason. And how the status says to rebalance.
/// </summary>
public sealed class ArbitrageEngineCheckTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly DecisionValidator Validator = new(Options.Create(new BrainOptions()));

    // a→b clears the threshold (tradable), b→a does not.
    private static readonly ArbitrageOpportunity Tradable = new("a", "BTC/BUSD", "b", "BTC/USDT", 17_001m, 17_085m, 0.283594m, 0.005882m, 17_001m, 17_085m, 0.283594m, 0.29359414m, null);
    private static readonly ArbitrageOpportunity Blocked = new("b", "BTC/USDT", "a", "BTC/BUSD", 17_087m, 16_999m, -0.724496m, 0m, 0m, 0m, 0m, 0m, "net edge -0.7245% is below Arbitrage:MinNetEdgePercent 0.02%");
    private static readonly ArbitrageScan Scan = new([Tradable, Blocked]);
    private static readonly MarketSnapshot Market = MarketSnapshot.Create(new Ticker("BTC/BUSD", At, 16_999m, 17_001m, 17_000m, 17_001m, 16_999m, 0m), []);

    [Fact]
    public void A_buy_without_a_price_takes_the_best_tradable_pair()
    {
        var (decision, pair) = Check(Buy(null));

        Assert.Same(Tradable, pair);
        Assert.Equal((TradeAction.Buy, "BTC/BUSD", 17_001m, 17_085m, TradingStrategy.Arbitrage), (decision.Action, decision.Symbol, decision.EntryPrice, decision.TakeProfit, decision.Strategy));
        Assert.Null(decision.HoldReason);
    }

    [Theory]
    [InlineData(17_087, "entry_price 17087 names no tradable pair (tradable: buy a at 17001, sell b at 17085)")]
    [InlineData(12_345, "entry_price 12345 names no tradable pair")]
    public void A_buy_naming_a_pair_that_is_not_tradable_is_a_hold(int price, string reason)
    {
        var (decision, pair) = Check(Buy(price));

        Assert.Null(pair);
        Assert.Equal((TradeAction.Hold, "buy"), (decision.Action, decision.ProposedAction));
        Assert.StartsWith(reason, decision.HoldReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sell_a_confidence_out_of_range_and_a_low_confidence_are_holds_with_the_reason()
    {
        Assert.Equal(
            "an arbitrage is a buy on one venue and a sell on another: answer buy with a tradable pair, not sell",
            Check(Buy(null) with { Action = TradeAction.Sell }).Decision.HoldReason);
        Assert.Equal("confidence 1.5 is outside [0, 1]", Check(Buy(null) with { Confidence = 1.5m }).Decision.HoldReason);
        Assert.Equal("confidence 0.4 is below AI:MinConfidence 0.6", Check(Buy(null) with { Confidence = 0.4m }).Decision.HoldReason);
        Assert.Equal("brain error: timeout", Check(Buy(null) with { FailureReason = "brain error: timeout" }).Decision.HoldReason);
    }

    [Fact]
    public void A_buy_when_nothing_is_tradable_is_a_hold()
    {
        var (decision, pair) = ArbitrageEngine.Check(Validator, 0.6m, Buy(null), new ArbitrageScan([Blocked]), Market, DecisionSource.Api, "d1", At);

        Assert.Null(pair);
        Assert.Equal("no pair of this scan is tradable", decision.HoldReason);
    }

    [Fact]
    public void Rebalancing_moves_each_surplus_to_the_largest_deficit_first_and_values_quote_in_the_reference_currency()
    {
        // Three venues: a holds 0.3 BTC more than it started with, b 0.1 less, c 0.2 less; quote the other way round,
        // c's quote (EUR) worth 2 reference units each: c's −50 EUR is −100 in the reference currency.
        var venues = new[]
        {
            Venue("a", "BTC/USDT", 1m, 0.3m, -150m),
            Venue("b", "BTC/BUSD", 1m, -0.1m, 50m),
            Venue("c", "BTC/EUR", 2m, -0.2m, -50m),
        };

        Assert.Equal(
            [
                "move 0.2 BTC from a to c",
                "move 0.1 BTC from a to b",
                "move 50 of quote (reference currency) from b (BUSD) to a (USDT)",
            ],
            ArbitrageControl.Rebalance(venues));
    }

    private static VenueInventory Venue(string name, string symbol, decimal rate, decimal baseDrift, decimal quoteDrift) =>
        new(name, symbol, rate, 1m + baseDrift, 1_000m + quoteDrift, 1m, 1_000m, baseDrift, quoteDrift, null);

    private static (TradingDecision Decision, ArbitrageOpportunity? Pair) Check(TradeProposal proposal) =>
        ArbitrageEngine.Check(Validator, 0.6m, proposal, Scan, Market, DecisionSource.Scan, "d1", At);

    private static TradeProposal Buy(decimal? price) =>
        new(TradeAction.Buy, 0m, price, null, price is null ? null : 17_085m, 0.95m, "take it", "books", "both legs", "test", 0);
}
