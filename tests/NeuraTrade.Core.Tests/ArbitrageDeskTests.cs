using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// Two paper venues whose prices are offset by a known amount: the arbitrage trades when the net edge clears the threshold
/// and never when the fees eat it; both legs carry client ids from the decision (a retry places nothing twice); a sell leg
/// that fails is unwound on the buy venue and recorded. Figures by hand.
/// </summary>
public sealed class ArbitrageDeskTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly ArbitrageOptions Options_ = new() { Enabled = true, MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0.01m, MaxNotional = 100m, MinNotional = 5m };

    [Fact]
    public async Task An_offset_wider_than_the_fees_is_bought_on_the_cheap_venue_and_sold_on_the_dear_one()
    {
        // A: 16,999 / 17,000. B: 17,085 / 17,086 (0.5% above). Taker fee 0.1% on each, in quote.
        var (a, b) = (PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m));
        var desk = Desk(a, b);

        var (scan, _) = await desk.ScanAsync(CancellationToken.None);
        var trade = Assert.IsType<ArbitrageOpportunity>(scan.Trade);
        Assert.Equal(("a", "b"), (trade.BuyVenue, trade.SellVenue));
        // MaxNotional 100 at 17,000: 0.00588235 BTC (to 8 decimals, down).
        Assert.Equal(0.00588235m, trade.Amount);

        var outcome = await desk.ExecuteAsync("d1", trade, CancellationToken.None);

        Assert.Equal(ArbitrageStatus.Completed, outcome.Status);
        Assert.Equal((0.00588235m, 0.00588235m, 0m), (outcome.Bought, outcome.Sold, outcome.Unwound));
        Assert.Equal((17_000m, 17_085m), (outcome.BuyPrice, outcome.SellPrice));
        // Buy: 0.00588235 × 17,000 = 99.99995, fee 0.09999995. Sell: 0.00588235 × 17,085 = 100.49994975, fee 0.10049995.
        // Profit: 100.49994975 − 0.10049995 − 99.99995 − 0.09999995 = 0.29949985; on 99.99995: 0.29949999…%, 0.299499 to 6 decimals down.
        Assert.Equal(0.09999995m, outcome.BuyFee);
        Assert.Equal(0.10049995m, outcome.SellFee);
        Assert.Equal(0.29949985m, outcome.Profit);
        Assert.Equal(0.299499m, outcome.CapturedNetEdgePercent);
        Assert.Equal(outcome.ExpectedProfit, outcome.Profit);
        Assert.Equal((0m, 0m), (outcome.BuySlippagePercent, outcome.SellSlippagePercent));
        Assert.Equal((ArbitrageDesk.BuyClientOrderId("d1"), ArbitrageDesk.SellClientOrderId("d1")), (outcome.BuyClientOrderId, outcome.SellClientOrderId));
        Assert.Equal(0.01m + 0.00588235m, await Free(a, "BTC"));
        Assert.Equal(0.01m - 0.00588235m, await Free(b, "BTC"));
        Assert.Equal(1_000m - 99.99995m - 0.09999995m, await Free(a, "BUSD"));
        Assert.Equal(1_000m + 100.49994975m - 0.10049995m, await Free(b, "USDT"));
    }

    [Fact]
    public async Task An_offset_the_fees_eat_is_never_traded()
    {
        // B 0.15% above A: 17,025.5 × 0.999 = 17,008.4745 against 17,000 × 1.001 = 17,017: a loss before the buffer.
        var (a, b) = (PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_025.5m, 17_026.5m));

        var (scan, _) = await Desk(a, b).ScanAsync(CancellationToken.None);

        Assert.Null(scan.Trade);
        Assert.All(scan.Pairs, p => Assert.StartsWith("net edge -", p.Refusal, StringComparison.Ordinal));
        // (17,008.4745 − 17,017) / 17,000 = −0.05015%, less the 0.01% buffer: −0.06015%.
        Assert.Equal(-0.06015m, scan.Best!.TopNetEdgePercent);
        Assert.Equal(0.01m, await Free(a, "BTC"));
        Assert.Equal(0.01m, await Free(b, "BTC"));
    }

    [Fact]
    public async Task A_retried_decision_places_each_leg_once()
    {
        var (a, b) = (PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m));
        var desk = Desk(a, b);
        var trade = (await desk.ScanAsync(CancellationToken.None)).Scan.Trade!;

        await desk.ExecuteAsync("d1", trade, CancellationToken.None);
        var again = await desk.ExecuteAsync("d1", trade, CancellationToken.None);

        Assert.Equal(ArbitrageStatus.Completed, again.Status);
        Assert.Equal(0.01m + 0.00588235m, await Free(a, "BTC"));
        Assert.Equal(0.01m - 0.00588235m, await Free(b, "BTC"));
    }

    [Fact]
    public async Task A_sell_leg_that_fails_is_unwound_on_the_buy_venue_and_recorded()
    {
        var a = PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m);
        var failing = new Mock<IExchange>(MockBehavior.Strict);
        failing.Setup(e => e.FetchOrderBookAsync("BTC/USDT", It.IsAny<int?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrderBook("BTC/USDT", [new OrderBookLevel(17_085m, 10m)], [new OrderBookLevel(17_086m, 10m)], T0, null));
        failing.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Balances(new Dictionary<string, Balance> { ["BTC"] = new(0.01m, 0m), ["USDT"] = new(1_000m, 0m) }));
        failing.Setup(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, "venue b is down"));
        var desk = new ArbitrageDesk([a, new ArbitrageVenue("b", failing.Object, "BTC/USDT", 0.1m, 0m, 1m)], Options_, NullLogger<ArbitrageDesk>.Instance);
        var trade = (await desk.ScanAsync(CancellationToken.None)).Scan.Trade!;

        var outcome = await desk.ExecuteAsync("d2", trade, CancellationToken.None);

        Assert.Equal(ArbitrageStatus.Unwound, outcome.Status);
        Assert.Equal((0.00588235m, 0m, 0.00588235m), (outcome.Bought, outcome.Sold, outcome.Unwound));
        Assert.Equal(16_999m, outcome.UnwindPrice);
        Assert.StartsWith("sell leg on b failed: ", outcome.Note, StringComparison.Ordinal);
        Assert.Contains("0.00588235 of 0.00588235 sold back on a", outcome.Note, StringComparison.Ordinal);
        // Back to the BTC it had; the round trip on a cost the spread and two fees:
        // sold 0.00588235 × 16,999 = 99.99406765, fee 0.09999407; paid 99.99995 + 0.09999995: −0.20587637.
        Assert.Equal(0.01m, await Free(a, "BTC"));
        Assert.Equal(-0.20587637m, outcome.Profit);
        failing.Verify(e => e.CreateOrderAsync(It.Is<OrderRequest>(r => r.ClientOrderId == ArbitrageDesk.SellClientOrderId("d2") && r.Amount == 0.00588235m && r.Side == OrderSide.Sell), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory]
    [InlineData(false, 100, null, "refused: arbitrage is switched off (Arbitrage:Enabled)")]
    [InlineData(true, 50, null, "refused: 99.99995 is above Arbitrage:MaxNotional 50")]
    [InlineData(true, 100, "daily loss limit reached", "refused: daily loss limit reached")]
    public async Task The_switch_the_notional_cap_and_the_account_gate_refuse_before_any_order(bool enabled, int maxNotional, string? accountRefusal, string note)
    {
        var (a, b) = (PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m));
        var trade = (await Desk(a, b).ScanAsync(CancellationToken.None)).Scan.Trade!;
        var options = new ArbitrageOptions { Enabled = enabled, MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0.01m, MaxNotional = maxNotional };
        var desk = new ArbitrageDesk([a, b], options, NullLogger<ArbitrageDesk>.Instance, _ => Task.FromResult(accountRefusal));

        var outcome = await desk.ExecuteAsync("d3", trade, CancellationToken.None);

        Assert.Equal(ArbitrageStatus.Refused, outcome.Status);
        Assert.Equal(note, outcome.Note);
        Assert.Equal(0.01m, await Free(a, "BTC"));
        Assert.Equal(0.01m, await Free(b, "BTC"));
    }

    private static ArbitrageDesk Desk(ArbitrageVenue a, ArbitrageVenue b) => new([a, b], Options_, NullLogger<ArbitrageDesk>.Instance);

    private static async Task<decimal> Free(ArbitrageVenue venue, string currency) =>
        (await venue.Exchange.FetchBalanceAsync(CancellationToken.None)).Free(currency);

    /// <summary>A paper venue quoting <paramref name="symbol"/> at a fixed bid and ask, 10 BTC deep, holding 0.01 BTC and 1,000 quote; fees 0.1% in quote.</summary>
    private static ArbitrageVenue PaperVenue(string name, string symbol, decimal bid, decimal ask) => FixedBookVenue.Create(name, symbol, bid, ask, T0);
}
