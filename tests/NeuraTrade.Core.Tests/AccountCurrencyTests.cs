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
/// One accounting currency: the limits are USDT amounts whatever the market's quote. ETH/BTC is traded in a USDT
/// account at BTC/USDT 20,000 and ETH/BTC 0.05; figures worked out by hand in the comments.
/// </summary>
public sealed class AccountCurrencyTests
{
    private const string EthBtc = "ETH/BTC";
    private const string BtcUsdt = "BTC/USDT";
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly MarketInfo EthMarket = new(EthBtc, "ETHBTC", "ETH", "BTC", true, 0.0001m, 0.000001m, 0.0001m, 100_000m, 0.0001m);
    private static readonly MarketInfo BtcMarket = new(BtcUsdt, "BTCUSDT", "BTC", "USDT", true, 0.00001m, 0.01m, 0.00001m, 9000m, 5m);
    private static readonly Ticker Eth = new(EthBtc, T0, 0.05m, 0.05m, 0.05m, 0.05m, 0.05m, 1m);
    private static readonly Ticker Btc = new(BtcUsdt, T0, 20_000m, 20_000m, 20_000m, 20_000m, 20_000m, 1m);

    [Fact]
    public async Task A_btc_quoted_entry_is_sized_by_the_usdt_limit_and_its_pnl_is_booked_in_usdt()
    {
        var exchange = Venue(withBtcUsdt: true);
        var sent = new List<OrderRequest>();
        exchange.Setup(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((OrderRequest r, CancellationToken _) =>
            {
                sent.Add(r);
                return Filled(r, r.Side == OrderSide.Buy ? 0.05m : 0.049m);
            });
        var (desk, positions, state) = Desk(exchange.Object);

        var entry = await desk.EnterAsync(Buy("d-eth"), Eth, CancellationToken.None);

        // 10% of 1 BTC free is 0.1 BTC (2,000 USDT), but Scalping:MaxPositionSize is 100 USDT = 0.005 BTC. At 0.05 BTC
        // per ETH less the 0.5% sizing buffer: 0.005 / (0.05 x 1.005) = 0.09950... ETH, floored to the 0.0001 step: 0.0995.
        var opened = Assert.IsType<Position>(entry.Opened);
        Assert.Equal(0.0995m, sent[0].Amount);
        Assert.Equal(0.0995m, opened.Amount);

        var closed = await desk.ExitAsync(opened, ExitReason.StopLoss, CancellationToken.None, Eth with { Bid = 0.049m, Ask = 0.049m });

        // Sold at 0.049, no fees: -0.001 x 0.0995 = -0.0000995 BTC, worth -1.99 USDT at 20,000.
        Assert.NotNull(closed);
        Assert.Equal(-0.0000995m, closed.RealizedPnl);
        Assert.Equal(20_000m, closed.QuoteRate);
        Assert.Equal(-1.99m, closed.AccountPnl);
        Assert.Equal(-1.99m, (await state.GetAsync(CancellationToken.None)).DailyRealizedPnl);
        Assert.Equal(20_000m, Assert.Single(positions.AllClosed).QuoteRate);
    }

    [Fact]
    public async Task Without_a_rate_into_the_account_currency_the_entry_is_refused_and_nothing_is_sent()
    {
        var exchange = Venue(withBtcUsdt: false);
        var (desk, _, _) = Desk(exchange.Object);

        var entry = await desk.EnterAsync(Buy("d-norate"), Eth, CancellationToken.None);

        Assert.Null(entry.Opened);
        Assert.Contains("BTC cannot be valued in the account's currency USDT", entry.Decision.HoldReason, StringComparison.Ordinal);
        exchange.Verify(e => e.CreateOrderAsync(It.IsAny<OrderRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public void The_minimum_order_and_the_size_cap_are_account_currency_amounts()
    {
        var gate = new RiskGate(Options.Create(new ScalpingOptions { MaxPositionSize = 100m, MinOrderNotional = 10m }));
        var state = ScalpingState.Initial(true, T0);
        var decision = Buy("d-gate");

        // 0.004 BTC free, 10% of it: 0.0004 BTC = 8 USDT at 20,000, below the 10 USDT minimum (the old check saw 0.0004 < 10 as well,
        // but 1 BTC free gave 0.1 BTC, which the old cap of "100" let through as 2,000 USDT).
        var small = gate.CheckEntry(new EntryCheck(decision, state, 0, false, 0.004m, 0.01m, null, QuoteRate: 20_000m));
        var large = gate.CheckEntry(new EntryCheck(decision, state, 0, false, 1m, 0.01m, null, QuoteRate: 20_000m));

        Assert.False(small.Approved);
        Assert.Contains("worth 8 in the account's currency", small.Reason, StringComparison.Ordinal);
        Assert.True(large.Approved);
        Assert.Equal(0.005m, large.Notional);
    }

    [Fact]
    public void The_daily_loss_adds_a_btc_loss_at_its_rate_to_a_usdt_loss()
    {
        var gate = new RiskGate(Options.Create(new ScalpingOptions { MaxDailyLoss = 100m }));
        var state = ScalpingState.Initial(true, T0);

        // -0.004 BTC at 20,000 = -80 USDT, plus -20 USDT: -100, the whole budget. Unconverted the day would show -20.004.
        var btcLoss = Closed("p-eth", EthBtc, entry: 0.05m, exit: 0.046m, amount: 1m, rate: 20_000m);
        var usdtLoss = Closed("p-btc", BtcUsdt, entry: 20_000m, exit: 19_980m, amount: 1m, rate: null);
        var context = RiskContext.From(T0, [btcLoss, usdtLoss], []);

        Assert.Equal(-100m, context.DayRealizedPnl);
        Assert.StartsWith("daily loss limit", gate.NoEntryPossible(state, 0, false, 0.01m, context, EthBtc), StringComparison.Ordinal);
    }

    private static Position Closed(string id, string symbol, decimal entry, decimal exit, decimal amount, decimal? rate) =>
        new Position(id, symbol, PositionSide.Long, amount, entry, 0m, entry * 0.9m, entry * 1.1m, T0.AddMinutes(-10), $"o-{id}", $"d-{id}", T0.AddMinutes(-10))
            with { ExitPrice = exit, ExitFee = 0m, ClosedAt = T0.AddMinutes(-5), ExitReason = ExitReason.StopLoss, ExitOrderId = $"x-{id}", QuoteRate = rate };

    private static TradingDecision Buy(string id) =>
        new(id, EthBtc, TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 10m, null, 0.0495m, 0.0512m, 0.9m,
            "r", "m", "risk", "test", 0, T0, DecisionSource.Api, 0.05m);

    private static Order Filled(OrderRequest r, decimal price) =>
        new($"ord-{r.ClientOrderId}", r.ClientOrderId, r.Symbol, r.Type, r.Side, OrderStatus.Closed, r.Amount, r.Amount, price, r.Amount * price, 0m, string.Empty, T0);

    /// <summary>A venue with ETH/BTC (and BTC/USDT when asked), a deep book, 1 BTC and 100 USDT free, no earlier orders.</summary>
    private static Mock<IExchange> Venue(bool withBtcUsdt)
    {
        var exchange = new Mock<IExchange>(MockBehavior.Loose);
        exchange.SetupGet(e => e.Name).Returns("venue");
        var markets = new Dictionary<string, MarketInfo> { [EthBtc] = EthMarket };
        if (withBtcUsdt)
        {
            markets[BtcUsdt] = BtcMarket;
            exchange.Setup(e => e.FetchTickerAsync(BtcUsdt, It.IsAny<CancellationToken>())).ReturnsAsync(Btc);
        }

        exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(markets);
        exchange.Setup(e => e.FetchTickerAsync(EthBtc, It.IsAny<CancellationToken>())).ReturnsAsync(Eth);
        exchange.Setup(e => e.FetchOrderBookAsync(EthBtc, It.IsAny<int?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new OrderBook(EthBtc, [new OrderBookLevel(0.05m, 100m)], [new OrderBookLevel(0.05m, 100m)], T0, null));
        exchange.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Balances(new Dictionary<string, Balance> { ["BTC"] = new(1m, 0m), ["USDT"] = new(100m, 0m) }));
        exchange.Setup(e => e.FetchOrderByClientIdAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync((Order?)null);
        exchange.Setup(e => e.FetchMyTradesAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset?>(), It.IsAny<int?>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        return exchange;
    }

    private static (TradeDesk Desk, InMemoryPositionStore Positions, InMemoryStateStore State) Desk(IExchange exchange)
    {
        var options = Options.Create(new ScalpingOptions { Symbols = [EthBtc], MaxPositionSize = 100m, MinOrderNotional = 10m });
        var positions = new InMemoryPositionStore();
        var state = new InMemoryStateStore(ScalpingState.Initial(true, T0));
        var time = new FakeTimeProvider(T0.AddSeconds(1));
        var desk = new TradeDesk(exchange, new RiskGate(options), new InMemoryDecisionStore(), positions, state, new InMemoryScanClaimStore(), options, time, NullLogger<TradeDesk>.Instance, new InMemoryEntryAdmission(positions), new AccountValuation(exchange, "USDT"));
        return (desk, positions, state);
    }
}
