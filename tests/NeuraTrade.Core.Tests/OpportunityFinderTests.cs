using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>The opportunity between two venues, net of both taker fees, the walked depth, the quote conversion and the inventory; figures by hand.</summary>
public sealed class OpportunityFinderTests
{
    private static readonly ArbitrageOptions NoBuffer = new() { MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0m, MaxNotional = 100m, MinNotional = 5m };

    private static VenueBook Venue(string name, string symbol, OrderBookLevel[] bids, OrderBookLevel[] asks, decimal fee = 0.1m, decimal rate = 1m, decimal baseFree = 10m, decimal quoteFree = 10_000m) =>
        new(name, new OrderBook(symbol, bids, asks, null, null), fee, 0m, rate, baseFree, quoteFree);

    [Fact]
    public void A_gap_wider_than_both_fees_is_tradable_up_to_the_notional_cap()
    {
        var cheap = Venue("a", "BTC/BUSD", [new(99.9m, 10m)], [new(100m, 10m)]);
        var dear = Venue("b", "BTC/USDT", [new(100.5m, 10m)], [new(100.6m, 10m)]);

        var trade = OpportunityFinder.Scan([cheap, dear], NoBuffer).Trade;

        Assert.NotNull(trade);
        Assert.Equal(("a", "b"), (trade.BuyVenue, trade.SellVenue));
        // Per BTC: sell 100.5 × 0.999 = 100.3995, buy 100 × 1.001 = 100.1: 0.2995 on 100 = 0.2995%.
        Assert.Equal(0.2995m, trade.TopNetEdgePercent);
        // MaxNotional 100 at 100 buys 1 BTC.
        Assert.Equal(1m, trade.Amount);
        Assert.Equal(0.2995m, trade.ExpectedProfit);
        Assert.Equal(0.2995m, trade.NetEdgePercent);
    }

    [Fact]
    public void Fees_that_eat_the_gap_hold_with_the_numbers()
    {
        var cheap = Venue("a", "BTC/BUSD", [new(99.9m, 10m)], [new(100m, 10m)]);
        var dear = Venue("b", "BTC/USDT", [new(100.15m, 10m)], [new(100.25m, 10m)]);

        var scan = OpportunityFinder.Scan([cheap, dear], NoBuffer);

        Assert.Null(scan.Trade);
        // 100.15 × 0.999 = 100.04985 against 100.1: −0.05015 on 100 = −0.05015%.
        Assert.Equal(-0.05015m, scan.Best!.TopNetEdgePercent);
        Assert.StartsWith("net edge -0.0502% is below Arbitrage:MinNetEdgePercent 0.02%", scan.Best.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void The_walk_stops_at_the_first_level_whose_edge_no_longer_clears()
    {
        var cheap = Venue("a", "BTC/BUSD", [new(99.9m, 10m)], [new(100m, 0.5m), new(100.4m, 5m)]);
        var dear = Venue("b", "BTC/USDT", [new(100.5m, 10m)], [new(100.6m, 10m)]);

        var trade = OpportunityFinder.Judge(cheap, dear, NoBuffer);

        // At 100.4: 100.3995 − 100.4 × 1.001 (100.5004) < 0, so only the 0.5 BTC at 100: profit 0.5 × 0.2995.
        Assert.Equal(0.5m, trade.Amount);
        Assert.Equal(100m, trade.BuyPrice);
        Assert.Equal(0.14975m, trade.ExpectedProfit);
    }

    [Fact]
    public void The_selling_venue_sells_only_the_base_it_holds_and_the_buying_venue_spends_only_its_quote()
    {
        var cheap = Venue("a", "BTC/BUSD", [new(99.9m, 10m)], [new(100m, 10m)], quoteFree: 1_000m);
        var dear = Venue("b", "BTC/USDT", [new(100.5m, 10m)], [new(100.6m, 10m)], baseFree: 0.4m);
        Assert.Equal(0.4m, OpportunityFinder.Judge(cheap, dear, NoBuffer).Amount);

        // 30.03 BUSD pays 0.3 BTC at 100 plus the 0.1% fee (30 + 0.03).
        var poor = cheap with { QuoteFree = 30.03m };
        Assert.Equal(0.3m, OpportunityFinder.Judge(poor, dear, NoBuffer).Amount);

        var none = OpportunityFinder.Judge(cheap, dear with { BaseFree = 0m }, NoBuffer);
        Assert.False(none.Tradable);
        Assert.Contains("limited by the BTC b holds (0)", none.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Quotes_are_compared_through_their_rates()
    {
        var cheap = Venue("a", "BTC/BUSD", [new(99.9m, 10m)], [new(100m, 10m)]);
        // 100.5 USDT at 0.99 is 99.495 in the reference currency: below the 100 paid, whatever the fees.
        var dear = Venue("b", "BTC/USDT", [new(100.5m, 10m)], [new(100.6m, 10m)], rate: 0.99m);

        var judged = OpportunityFinder.Judge(cheap, dear, NoBuffer);

        // 100.5 × 0.99 = 99.495, × 0.999 = 99.395505 against 100.1: −0.704495 on 100 = −0.704495%.
        Assert.Equal(-0.704495m, judged.TopNetEdgePercent);
        Assert.False(judged.Tradable);
    }

    [Fact]
    public void The_safety_buffer_comes_off_the_edge()
    {
        var cheap = Venue("a", "BTC/BUSD", [new(99.9m, 10m)], [new(100m, 10m)]);
        var dear = Venue("b", "BTC/USDT", [new(100.5m, 10m)], [new(100.6m, 10m)]);

        var judged = OpportunityFinder.Judge(cheap, dear, new ArbitrageOptions { MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0.28m });

        // 0.2995% − 0.28% = 0.0195%, below 0.02%.
        Assert.Equal(0.0195m, judged.TopNetEdgePercent);
        Assert.False(judged.Tradable);
    }
}
