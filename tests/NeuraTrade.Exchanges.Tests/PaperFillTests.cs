using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>The paper fill model: book walk, partial fills, resting limit orders, maker/taker fees, reservations, restart.</summary>
public sealed class PaperFillTests
{
    private const string Btc = "BTC/USDT";
    private static readonly CandleReplay Replay = CandleReplay.Load(Path.Combine(AppContext.BaseDirectory, "data", "candles"));

    [Fact]
    public void Walk_consumes_levels_best_first_and_stops_at_the_limit_price()
    {
        OrderBookLevel[] asks = [new(100m, 1m), new(101m, 1m), new(102m, 5m)];

        var market = PaperFillModel.Walk(asks, OrderSide.Buy, 2.5m, null);
        var limited = PaperFillModel.Walk(asks, OrderSide.Buy, 2.5m, 101m);

        Assert.Equal(new BookWalk(2.5m, ((100m * 1m) + (101m * 1m) + (102m * 0.5m)) / 2.5m), market);
        Assert.Equal(new BookWalk(2m, 100.5m), limited);
    }

    [Fact]
    public void A_volume_too_thin_for_a_level_of_one_step_gets_the_fallback_depth_never_an_empty_level()
    {
        // 1% of the last closed candle's 0.0000001 BTC rounds to nothing at 8 decimals: 1,000 USDT at 100 a level instead.
        var options = new PaperExchangeOptions { BookLevels = 3, BookLevelVolumeFraction = 0.01m, BookFallbackLevelNotional = 1_000m };
        var ticker = new NeuraTrade.Core.Markets.Ticker(Btc, DateTimeOffset.UnixEpoch, 99.99m, 100.01m, 100m, 101m, 99m, 0.0000001m);

        var book = ReplayMarketData.ModelOrderBook(ticker, options, null);
        var buySide = ReplayMarketData.ModelOrderBook(ticker, options, null, OrderSide.Buy);

        Assert.All(book.Asks.Concat(book.Bids), level => Assert.Equal(10m, level.Amount));
        Assert.Equal(book.Asks, buySide.Asks);
        Assert.Empty(buySide.Bids);
    }

    [Fact]
    public async Task Market_order_larger_than_the_book_fills_partly_and_expires_the_rest()
    {
        var (exchange, _, _) = Create(new PaperExchangeOptions { BookLevels = 2, BookLevelVolumeFraction = 0.00001m, StartingBalance = 1_000_000m });
        var book = await exchange.FetchOrderBookAsync(Btc, null, CancellationToken.None);
        var depth = book.Asks.Sum(l => l.Amount);

        var order = await exchange.CreateOrderAsync(new OrderRequest(Btc, OrderType.Market, OrderSide.Buy, depth * 3m, null, "big"), CancellationToken.None);

        Assert.Equal(OrderStatus.Expired, order.Status);
        Assert.Equal(depth, order.Filled);
        Assert.Equal(depth * 2m, order.Remaining);

        // Binance spot takes a BUY's taker fee (0.1%) from the asset bought, to the 8th decimal: the account holds the fill less it.
        var fee = Math.Round(depth / 1000m, 8, MidpointRounding.AwayFromZero);
        Assert.Equal("BTC", order.FeeCurrency);
        Assert.Equal(fee, order.Fee);
        Assert.Equal(depth - fee, (await exchange.FetchBalanceAsync(CancellationToken.None)).Free("BTC"));
    }

    [Theory]
    [InlineData(FeeAssets.Received)]
    [InlineData(FeeAssets.Quote)]
    public async Task Limit_buy_below_the_market_rests_reserving_quote_then_fills_at_its_price_with_the_maker_fee(string feeAsset)
    {
        var (exchange, store, time) = Create(new PaperExchangeOptions { MakerFeePercent = 0.05m, FeeAsset = feeAsset });
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);
        var limit = Math.Round(ticker.Bid * 0.999m, 2);
        var inQuote = feeAsset == FeeAssets.Quote;

        var placed = await exchange.CreateOrderAsync(new OrderRequest(Btc, OrderType.Limit, OrderSide.Buy, 0.01m, limit, "rest"), CancellationToken.None);
        var reserved = await exchange.FetchBalanceAsync(CancellationToken.None);

        Assert.Equal(OrderStatus.Open, placed.Status);
        Assert.Equal(0m, placed.Filled);

        // A fee paid in quote is reserved with the order; a fee taken from the BTC received needs no quote.
        var quoteFee = Math.Round(0.01m * limit * 0.0005m, 8);
        var reserve = (0.01m * limit) + (inQuote ? quoteFee : 0m);
        Assert.Equal(reserve, reserved.ByCurrency["USDT"].Used);
        Assert.Equal(10_000m - reserve, reserved.Free("USDT"));
        Assert.Single(await exchange.FetchOpenOrdersAsync(Btc, CancellationToken.None));

        // Walk the replay forward, a candle at a time, until a candle trades through the limit.
        for (var i = 0; i < 2_000 && (await exchange.FetchOrderAsync(placed.Id, Btc, CancellationToken.None)).Status == OrderStatus.Open; i++)
        {
            time.Advance(TimeSpan.FromMinutes(5));
        }

        var filled = await exchange.FetchOrderAsync(placed.Id, Btc, CancellationToken.None);
        var after = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(OrderStatus.Closed, filled.Status);
        Assert.Equal(limit, filled.Average);

        // The maker fee, 0.05%: 0.000005 BTC of the 0.01 BTC received, or 0.05% of its cost in USDT.
        Assert.Equal(inQuote ? quoteFee : 0.000005m, filled.Fee);
        Assert.Equal(inQuote ? "USDT" : "BTC", filled.FeeCurrency);
        Assert.Equal(inQuote ? 0.01m : 0.009995m, after.Free("BTC"));
        Assert.Equal(10_000m - reserve, after.Free("USDT"));
        Assert.Equal(0m, after.ByCurrency["USDT"].Used);
        Assert.Equal(TakerOrMaker.Maker, Assert.Single(await exchange.FetchMyTradesAsync(Btc, null, null, CancellationToken.None)).TakerOrMaker);
        Assert.Equal(OrderStatus.Closed, store.Orders["rest"].Status);
    }

    [Fact]
    public async Task Marketable_limit_buy_takes_at_once_at_no_worse_than_its_price()
    {
        var (exchange, _, _) = Create(new PaperExchangeOptions());
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);
        var limit = Math.Round(ticker.Ask * 1.01m, 2);

        var order = await exchange.CreateOrderAsync(new OrderRequest(Btc, OrderType.Limit, OrderSide.Buy, 0.01m, limit, "cross"), CancellationToken.None);

        Assert.Equal(OrderStatus.Closed, order.Status);
        Assert.True(order.Average <= limit);
        Assert.Equal(Math.Round(ticker.Ask * 1.0002m, 8), order.Average);
    }

    [Fact]
    public async Task Post_only_order_that_would_take_liquidity_is_rejected()
    {
        var (exchange, store, _) = Create(new PaperExchangeOptions());
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(
            new OrderRequest(Btc, OrderType.Limit, OrderSide.Buy, 0.01m, ticker.Ask + 10m, "po", PostOnly: true), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InvalidOrder, ex.ErrorType);
        Assert.Equal(0, store.Saves);
    }

    [Fact]
    public async Task Cancelling_a_resting_order_releases_its_reservation()
    {
        var (exchange, _, _) = Create(new PaperExchangeOptions());
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);
        var placed = await exchange.CreateOrderAsync(new OrderRequest(Btc, OrderType.Limit, OrderSide.Buy, 0.01m, Math.Round(ticker.Bid * 0.9m, 2), "c"), CancellationToken.None);

        var canceled = await exchange.CancelOrderAsync(placed.Id, Btc, CancellationToken.None);
        var again = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CancelOrderAsync(placed.Id, Btc, CancellationToken.None));

        Assert.Equal(OrderStatus.Canceled, canceled.Status);
        Assert.Equal(ExchangeErrorType.OrderNotFound, again.ErrorType);
        var balances = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(10_000m, balances.Free("USDT"));
        Assert.Equal(0m, balances.ByCurrency["USDT"].Used);
    }

    [Fact]
    public async Task Limit_order_beyond_the_free_balance_is_rejected_as_insufficient_funds()
    {
        var (exchange, _, _) = Create(new PaperExchangeOptions());
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(
            new OrderRequest(Btc, OrderType.Limit, OrderSide.Buy, 1m, Math.Round(ticker.Bid * 0.9m, 2), "big"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InsufficientFunds, ex.ErrorType);
    }

    [Fact]
    public async Task A_restarted_paper_exchange_resumes_its_open_orders_and_reservations()
    {
        var (exchange, store, time) = Create(new PaperExchangeOptions());
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);
        var placed = await exchange.CreateOrderAsync(new OrderRequest(Btc, OrderType.Limit, OrderSide.Buy, 0.01m, Math.Round(ticker.Bid * 0.5m, 2), "keep"), CancellationToken.None);
        var before = await exchange.FetchBalanceAsync(CancellationToken.None);

        using var restarted = New(store, time, new PaperExchangeOptions());

        Assert.Equal(placed, Assert.Single(await restarted.FetchOpenOrdersAsync(null, CancellationToken.None)));
        Assert.Equal(before, await restarted.FetchBalanceAsync(CancellationToken.None), new BalancesComparer());
    }

    private static (PaperExchange Exchange, RecordingPaperAccountStore Store, FakeTimeProvider Time) Create(PaperExchangeOptions options)
    {
        Assert.True(Replay.TryGetSeries(Btc, out var series));

        // The feed reads the data at its clock's time: the BTC/USDT series 62.5 minutes in.
        var time = new FakeTimeProvider(series.Start.AddMinutes(62.5));
        var store = new RecordingPaperAccountStore();
        return (New(store, time, options), store, time);
    }

    private static PaperExchange New(IPaperAccountStore store, FakeTimeProvider time, PaperExchangeOptions options)
    {
        var o = Options.Create(options);
        return new PaperExchange(new ReplayMarketData(Replay, o, time), store, o, time, NullLogger<PaperExchange>.Instance);
    }

    private sealed class BalancesComparer : IEqualityComparer<Balances>
    {
        public bool Equals(Balances? x, Balances? y) =>
            x is not null && y is not null && x.ByCurrency.Count == y.ByCurrency.Count && x.ByCurrency.All(kv => y.ByCurrency.TryGetValue(kv.Key, out var b) && b == kv.Value);

        public int GetHashCode(Balances obj) => obj.ByCurrency.Count;
    }
}
