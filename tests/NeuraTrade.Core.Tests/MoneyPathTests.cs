using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The trade desk against an exchange that books fills as Binance spot does (a BUY's fee in the base asset, a 0.00001 BTC
/// lot step, 5 USDT minimum notional). Expected figures are worked out by hand in the comments.
/// </summary>
public sealed class MoneyPathTests
{
    private const string Btc = "BTC/USDT";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly MarketInfo BtcMarket = new(Btc, "BTCUSDT", "BTC", "USDT", true, 0.00001m, 0.01m, 0.00001m, 9000m, 5m);
    private static readonly Ticker At50k = new(Btc, T0, 50_000m, 50_000m, 50_000m, 50_000m, 50_000m, 1m);

    [Fact]
    public async Task A_long_holds_its_fill_less_the_base_fee_and_its_exit_sells_what_is_held_floored_to_the_step()
    {
        var exchange = Binance();
        OrderRequest? exitSent = null;
        exchange.Setup(e => e.CreateOrderAsync(It.Is<OrderRequest>(r => r.Side == OrderSide.Buy), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OrderRequest r, CancellationToken _) => Filled(r, 0.00118m, 50_000m, 0.00000118m, "BTC"));
        exchange.Setup(e => e.CreateOrderAsync(It.Is<OrderRequest>(r => r.Side == OrderSide.Sell), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OrderRequest r, CancellationToken _) =>
            {
                exitSent = r;
                return Filled(r, r.Amount, 51_000m, Math.Round(r.Amount * 51_000m * 0.001m, 8), "USDT");
            });
        var (desk, positions, _) = Desk(exchange.Object);

        var entry = await desk.EnterAsync(Buy("d-1", stop: 49_500m, target: 51_000m), At50k, CancellationToken.None);

        // Bought 0.00118 BTC, Binance kept 0.1% of it (0.00000118 BTC): the account holds 0.00117882 BTC.
        // That fee is worth 0.00000118 x 50,000 = 0.059 USDT.
        var opened = Assert.IsType<Position>(entry.Opened);
        Assert.Equal(0.00117882m, opened.Amount);
        Assert.Equal(0.059m, opened.EntryFee);
        Assert.Equal([new FeeCharge("BTC", 0.00000118m)], opened.EntryCharges);

        var closed = await desk.ExitAsync(opened, ExitReason.TakeProfit, CancellationToken.None, At50k with { Bid = 51_000m, Ask = 51_000m });

        // The exit sells 0.00117 (0.00117882 floored to the 0.00001 step), never the 0.00118 that was bought (-2010).
        Assert.Equal(0.00117m, exitSent!.Amount);
        Assert.NotNull(closed);
        Assert.Equal(0.00117m, closed.Amount);

        // The 0.00000882 BTC left can never be sold (below the step): closed in the books as dust, slot freed.
        Assert.Empty(await positions.GetOpenAsync(CancellationToken.None));
        var dust = Assert.Single(positions.AllClosed, p => p.ExitReason == ExitReason.Dust);
        Assert.Equal(0.00000882m, dust.Amount);

        // PnL over both parts: (51,000 - 50,000) x 0.00117882 = 1.17882, less the entry fee 0.059 and the exit fee
        // 0.00117 x 51,000 x 0.1% = 0.05967: 1.17882 - 0.059 - 0.05967 = 1.06015.
        Assert.Equal(1.06015m, positions.AllClosed.Sum(p => p.RealizedPnl!.Value));
    }

    [Fact]
    public async Task An_exit_retried_after_a_crash_between_its_fill_and_the_store_books_the_first_order_and_never_sells_twice()
    {
        var exchange = Binance();
        Order? placed = null;
        exchange.Setup(e => e.FetchOrderByClientIdAsync(It.IsAny<string>(), Btc, It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, string _, CancellationToken _) => placed is { } p && p.ClientOrderId == id ? p : null);
        exchange.Setup(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OrderRequest r, CancellationToken _) => placed = Filled(r, r.Amount, 50_100m, 0.05m, "USDT"));
        var store = new Mock<IPositionStore>();
        var position = new Position("pos-d-2", Btc, PositionSide.Long, 0.001m, 50_000m, 0.05m, 49_000m, 51_000m, T0, "o-1", "d-2", T0);
        var open = new List<Position> { position };
        store.Setup(s => s.GetOpenAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => open.ToList());
        store.Setup(s => s.GetClosedAsync(It.IsAny<DateOnly>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        store.SetupSequence(s => s.CloseAsync(It.IsAny<Position>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("storage went away after the fill"))
            .Returns(Task.CompletedTask);
        var (desk, _, _) = Desk(exchange.Object, store.Object);

        await Assert.ThrowsAsync<IOException>(() => desk.ExitAsync(position, ExitReason.StopLoss, CancellationToken.None, At50k));
        var closed = await desk.ExitAsync(position, ExitReason.StopLoss, CancellationToken.None, At50k);

        exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(placed!.Id, closed!.ExitOrderId);
        Assert.Equal(50_100m, closed.ExitPrice);
    }

    [Fact]
    public async Task An_exit_whose_earlier_order_cannot_be_looked_up_is_not_sent_blind()
    {
        var exchange = Binance();
        exchange.Setup(e => e.FetchOrderByClientIdAsync(It.IsAny<string>(), Btc, It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, "503"));
        var (desk, positions, _) = Desk(exchange.Object);
        var position = new Position("pos-d-3", Btc, PositionSide.Long, 0.001m, 50_000m, 0.05m, 49_000m, 51_000m, T0, "o-1", "d-3", T0);
        await positions.SaveOpenAsync(position, CancellationToken.None);

        Assert.Null(await desk.ExitAsync(position, ExitReason.StopLoss, CancellationToken.None, At50k));
        exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Fees_an_order_does_not_report_are_read_from_the_accounts_trades_and_a_bnb_fee_is_valued_at_its_ticker()
    {
        var exchange = Binance();
        exchange.Setup(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OrderRequest r, CancellationToken _) => Filled(r, 0.002m, 50_000m, 0m, string.Empty));
        exchange.Setup(e => e.FetchMyTradesAsync(Btc, It.IsAny<DateTimeOffset?>(), It.IsAny<int?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(
            [
                new Trade("t-1", "ord-nt-d-4", Btc, OrderSide.Buy, TakerOrMaker.Taker, 50_000m, 0.001m, 50m, 0.000001m, "BTC", T0),
                new Trade("t-2", "ord-nt-d-4", Btc, OrderSide.Buy, TakerOrMaker.Taker, 50_000m, 0.001m, 50m, 0.0001m, "BNB", T0),
                new Trade("t-0", "someone-else", Btc, OrderSide.Buy, TakerOrMaker.Taker, 50_000m, 1m, 50_000m, 1m, "BTC", T0),
            ]);
        exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new Dictionary<string, MarketInfo>
        {
            [Btc] = BtcMarket,
            ["BNB/USDT"] = new("BNB/USDT", "BNBUSDT", "BNB", "USDT", true, 0.001m, 0.1m, 0.001m, 9000m, 5m),
        });
        exchange.Setup(e => e.FetchTickerAsync("BNB/USDT", It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Ticker("BNB/USDT", T0, 600m, 600m, 600m, 600m, 600m, 1m));
        var (desk, _, _) = Desk(exchange.Object);

        var opened = (await desk.EnterAsync(Buy("d-4", stop: 49_500m, target: 51_000m), At50k, CancellationToken.None)).Opened!;

        // Filled 0.002; the BTC fee of the first fill (0.000001) came out of the coins: 0.001999 held.
        // Fees in quote: 0.000001 BTC x 50,000 = 0.05, plus 0.0001 BNB x 600 = 0.06: 0.11. The other order's fill is not ours.
        Assert.Equal(0.001999m, opened.Amount);
        Assert.Equal(0.11m, opened.EntryFee);
        Assert.Equal([new FeeCharge("BTC", 0.000001m), new FeeCharge("BNB", 0.0001m)], opened.EntryCharges);
    }

    [Fact]
    public void Barriers_follow_the_fill_keeping_their_distances_from_the_proposed_entry()
    {
        // Proposed 0.4% under a 100 market: entry 99.6, stop 99.1 (0.5 under), target 100.1 (0.5 over). Filled at the
        // market, 100.05: judged against the proposal it would already be past its target. Moved: 99.55 and 100.55.
        var decision = Buy("d-5", stop: 99.1m, target: 100.1m) with { EntryPrice = 99.6m, MarketPrice = 100m };

        Assert.Equal((99.55m, 100.55m), FillBooking.Anchored(decision, 100.05m));
    }

    [Fact]
    public void A_fill_too_small_to_sell_is_dust_and_a_sellable_one_is_floored_to_the_step()
    {
        // 0.00009 BTC x 50,000 = 4.5 USDT < the 5 USDT minimum notional: never sellable.
        Assert.Equal(0m, FillBooking.Sellable(BtcMarket, 0.00009m, 50_000m));

        // 0.000119 floors to 0.00011 (5.5 USDT): sellable.
        Assert.Equal(0.00011m, FillBooking.Sellable(BtcMarket, 0.000119m, 50_000m));
    }

    private static TradingDecision Buy(string id, decimal stop, decimal target) =>
        new(id, Btc, TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 60m, null, stop, target, 0.9m,
            "r", "m", "risk", "test", 0, T0, DecisionSource.Api, 50_000m);

    private static Order Filled(OrderRequest r, decimal filled, decimal price, decimal fee, string feeCurrency) =>
        new($"ord-{r.ClientOrderId}", r.ClientOrderId, r.Symbol, r.Type, r.Side, OrderStatus.Closed, r.Amount, filled, price, filled * price, fee, feeCurrency, T0);

    /// <summary>An exchange with the BTC/USDT market, a deep book at 50,000, 100 USDT free, and no earlier orders.</summary>
    private static Mock<IExchange> Binance()
    {
        var exchange = new Mock<IExchange>(MockBehavior.Loose);
        exchange.SetupGet(e => e.Name).Returns("binance-standin");
        exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new Dictionary<string, MarketInfo> { [Btc] = BtcMarket });
        exchange.Setup(e => e.FetchTickerAsync(Btc, It.IsAny<CancellationToken>())).ReturnsAsync(At50k);
        exchange.Setup(e => e.FetchOrderBookAsync(Btc, It.IsAny<int?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrderBook(Btc, [new OrderBookLevel(50_000m, 1m)], [new OrderBookLevel(50_000m, 1m)], T0, null));
        exchange.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Balances(new Dictionary<string, Balance> { ["USDT"] = new(100m, 0m) }));
        exchange.Setup(e => e.FetchOrderByClientIdAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Order?)null);
        exchange.Setup(e => e.FetchMyTradesAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset?>(), It.IsAny<int?>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        return exchange;
    }

    private static (TradeDesk Desk, InMemoryPositionStore Positions, InMemoryStateStore State) Desk(IExchange exchange, IPositionStore? store = null)
    {
        var options = Options.Create(new ScalpingOptions { Symbols = [Btc], MaxPositionSize = 100m });
        var positions = new InMemoryPositionStore();
        var state = new InMemoryStateStore(ScalpingState.Initial(true, T0));
        var time = new FakeTimeProvider(T0.AddSeconds(1));
        var desk = new TradeDesk(exchange, new RiskGate(options), new InMemoryDecisionStore(), store ?? positions, state, new InMemoryScanClaimStore(), options, time, NullLogger<TradeDesk>.Instance, new InMemoryEntryAdmission(store ?? positions), new AccountValuation(exchange, "USDT"));
        return (desk, positions, state);
    }
}
