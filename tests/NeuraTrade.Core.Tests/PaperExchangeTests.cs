using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Core.Tests;

public sealed class PaperExchangeTests
{
    private const string Btc = "BTC/USDT";
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);
    private static readonly CandleReplay Replay = CandleReplayTests.LoadReplay();
    private static readonly IReadOnlyList<Candle> BtcCandles = CandleCsv.Read(TestMarket.CandleFile("BTC_USDT-5m.csv"));

    // 62.5 minutes into the data: half way through candle 12, candles 0..11 are closed.
    private static readonly TimeSpan MidCandle12 = TimeSpan.FromMinutes(62.5);

    [Fact]
    public async Task Ticker_shows_the_path_so_far_a_one_tick_spread_and_the_last_closed_candles_volume()
    {
        // 2.5 minutes into candle 12 (data/candles/BTC_USDT-5m.csv, opens 1672681500000: an odd number of 5-minute
        // intervals from the epoch, so high first): open 16706.5, high 16709.0, low 16705.9, close 16705.9. The third
        // quarter shows the second extreme, the low; the candle so far spans 16705.9 .. 16709.0. Candle 11 (closed)
        // traded 200.21 BTC. The tick (data/candles/markets.json) is 0.01: bid and ask half a cent either side.
        var (exchange, _, _) = Create(MidCandle12);

        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);

        Assert.Equal(Btc, ticker.Symbol);
        Assert.Equal(BtcCandles[0].OpenTime + MidCandle12, ticker.Timestamp);
        Assert.Equal((16705.895m, 16705.9m, 16705.905m), (ticker.Bid, ticker.Last, ticker.Ask));
        Assert.Equal((16706.5m, 16709.0m, 16705.9m), (ticker.Open, ticker.High, ticker.Low));
        Assert.Equal(200.21m, ticker.BaseVolume);
    }

    [Fact]
    public async Task Ticker_at_a_candle_open_quotes_the_open_price()
    {
        var (exchange, _, _) = Create(TimeSpan.FromMinutes(60));

        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);

        Assert.Equal(BtcCandles[12].Open, ticker.Last);
    }

    [Fact]
    public async Task Ohlcv_returns_only_closed_candles_oldest_first_up_to_the_limit()
    {
        var (exchange, _, _) = Create(MidCandle12);
        var marketTime = BtcCandles[0].OpenTime + MidCandle12;

        var five = await exchange.FetchOhlcvAsync(Btc, "5m", 5, CancellationToken.None);
        var all = await exchange.FetchOhlcvAsync(Btc, "5m", 100, CancellationToken.None);

        Assert.Equal(BtcCandles.Where(c => c.OpenTime + FiveMinutes <= marketTime).TakeLast(5), five);
        Assert.Equal(BtcCandles.Take(12), all);
        Assert.All(all, c => Assert.True(c.OpenTime + FiveMinutes <= marketTime));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.OpenTime < p.Second.OpenTime));
    }

    [Fact]
    public async Task Ohlcv_counts_a_candle_closed_exactly_at_market_time()
    {
        // Market time 65 minutes: candle 12 (60..65) has just closed, candle 13 has just opened.
        var (exchange, _, _) = Create(TimeSpan.FromMinutes(65));

        var candles = await exchange.FetchOhlcvAsync(Btc, "5m", 3, CancellationToken.None);

        Assert.Equal(BtcCandles.Skip(10).Take(3), candles);
    }

    [Fact]
    public async Task Ohlcv_in_a_data_gap_treats_the_candle_before_the_gap_as_closed()
    {
        // Candles at 0, 5, 20 and 25 minutes; market time 10 minutes is in the hole just after candle 1 closed.
        var trend = TestMarket.Trend(6, 100m, 1m);
        var series = new CandleSeries("TST/USDT", "5m", [trend[0], trend[1], trend[4], trend[5]]);
        var clock = new FakeTimeProvider(TestMarket.T0.AddMinutes(10));
        using var exchange = new PaperExchange(
            new ReplayMarketData(new CandleReplay([series]), Options.Create(new PaperExchangeOptions()), clock), new RecordingPaperAccountStore(), Options.Create(new PaperExchangeOptions { FeeAsset = FeeAssets.Quote }), clock, NullLogger<PaperExchange>.Instance);

        var candles = await exchange.FetchOhlcvAsync("TST/USDT", "5m", 10, CancellationToken.None);
        var ticker = await exchange.FetchTickerAsync("TST/USDT", CancellationToken.None);

        Assert.Equal(new[] { trend[0], trend[1] }, candles);
        Assert.Equal(TestMarket.T0.AddMinutes(10), ticker.Timestamp);
        Assert.Equal(trend[1].Close, ticker.Last);
    }

    [Fact]
    public async Task Ohlcv_deep_in_the_replay_returns_the_latest_closed_window()
    {
        var (exchange, _, _) = Create(TimeSpan.FromMinutes(5 * 4_000) + TimeSpan.FromSeconds(90));

        var candles = await exchange.FetchOhlcvAsync(Btc, "5m", 60, CancellationToken.None);

        Assert.Equal(BtcCandles.Skip(3_940).Take(60), candles);
    }

    [Fact]
    public async Task Ohlcv_at_the_very_start_of_the_replay_is_empty()
    {
        var (exchange, _, _) = Create(TimeSpan.Zero);

        Assert.Empty(await exchange.FetchOhlcvAsync(Btc, "5m", 60, CancellationToken.None));
    }

    [Fact]
    public async Task Ohlcv_in_another_timeframe_is_an_invalid_order()
    {
        var (exchange, _, _) = Create(MidCandle12);

        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.FetchOhlcvAsync(Btc, "1m", 10, CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InvalidOrder, ex.ErrorType);
    }

    [Fact]
    public async Task New_account_starts_with_the_quote_balance_only()
    {
        var (exchange, _, _) = Create(MidCandle12);

        var balances = await exchange.FetchBalanceAsync(CancellationToken.None);

        Assert.Equal(10_000m, balances.Free("USDT"));
        Assert.Equal(0m, balances.Free("BTC"));
        Assert.Equal(TestMarket.BundledSymbols, exchange.Markets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Market_buy_fills_at_the_slipped_ask_debits_cost_plus_fee_and_credits_base()
    {
        var (exchange, store, time) = Create(MidCandle12);
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);

        var order = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None);

        var price = Math.Round(ticker.Ask * 1.0002m, 8, MidpointRounding.AwayFromZero);
        Assert.Equal(price, order.Average);
        Assert.Equal(0.01m * price, order.Cost);
        Assert.Equal(Math.Round(order.Cost * 0.001m, 8, MidpointRounding.AwayFromZero), order.Fee);
        Assert.Equal("USDT", order.FeeCurrency);
        Assert.Equal(OrderStatus.Closed, order.Status);
        Assert.Equal(0.01m, order.Filled);
        Assert.Equal("c-1", order.ClientOrderId);
        Assert.Equal(time.GetUtcNow(), order.Timestamp);

        var balances = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(10_000m - order.Cost - order.Fee, balances.Free("USDT"));
        Assert.Equal(0.01m, balances.Free("BTC"));
        Assert.Equal(1, store.Saves);
        Assert.Equal(balances.Free("USDT"), store.Balances!["USDT"]);
    }

    [Fact]
    public async Task Market_sell_fills_at_the_slipped_bid_and_credits_proceeds_minus_fee()
    {
        var (exchange, _, _) = Create(MidCandle12);
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);
        var buy = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None);

        var sell = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Sell, 0.004m, "c-2"), CancellationToken.None);

        Assert.Equal(Math.Round(ticker.Bid * 0.9998m, 8, MidpointRounding.AwayFromZero), sell.Average);
        Assert.Equal(Math.Round(sell.Cost * 0.001m, 8, MidpointRounding.AwayFromZero), sell.Fee);
        Assert.True(sell.Average < buy.Average);
        var balances = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(10_000m - buy.Cost - buy.Fee + sell.Cost - sell.Fee, balances.Free("USDT"));
        Assert.Equal(0.006m, balances.Free("BTC"));
    }

    [Fact]
    public async Task Buy_beyond_free_quote_is_rejected_as_insufficient_funds_without_charging()
    {
        var (exchange, store, _) = Create(MidCandle12);

        // One BTC costs about 16,700 USDT; the account has 10,000.
        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 1m, "c-1"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InsufficientFunds, ex.ErrorType);
        Assert.Equal(10_000m, (await exchange.FetchBalanceAsync(CancellationToken.None)).Free("USDT"));
        Assert.Equal(0, store.Saves);
    }

    [Fact]
    public async Task Sell_without_the_base_currency_is_rejected_as_insufficient_funds()
    {
        var (exchange, _, _) = Create(MidCandle12);

        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(MarketOrder(OrderSide.Sell, 0.01m, "c-1"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InsufficientFunds, ex.ErrorType);
    }

    [Fact]
    public async Task Buy_on_a_market_quoted_in_another_currency_needs_that_currency()
    {
        var (exchange, _, _) = Create(MidCandle12);

        // ETH/BTC is paid in BTC; the account only holds USDT.
        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(
            new OrderRequest("ETH/BTC", OrderType.Market, OrderSide.Buy, 1_000m, null, "c-eth"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InsufficientFunds, ex.ErrorType);
    }

    [Fact]
    public async Task Order_below_min_notional_is_an_invalid_order()
    {
        var (exchange, store, _) = Create(MidCandle12);

        // 0.0002 BTC is about 3.3 USDT, below the 5 USDT minimum.
        var ex = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.0002m, "c-1"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InvalidOrder, ex.ErrorType);
        Assert.Contains("minimum notional", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Saves);
    }

    [Fact]
    public async Task Limit_orders_without_a_price_and_non_positive_amounts_are_invalid_orders()
    {
        var (exchange, _, _) = Create(MidCandle12);

        var limit = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(
            MarketOrder(OrderSide.Buy, 0.01m, "c-1") with { Type = OrderType.Limit }, CancellationToken.None));
        var zero = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0m, "c-2"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InvalidOrder, limit.ErrorType);
        Assert.Equal(ExchangeErrorType.InvalidOrder, zero.ErrorType);
    }

    [Fact]
    public async Task Repeated_client_order_id_returns_the_first_fill_without_charging_twice()
    {
        var (exchange, store, time) = Create(MidCandle12);
        var first = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None);

        // A retry later, even with a different amount, is the same order.
        time.Advance(TimeSpan.FromSeconds(20));
        var again = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.02m, "c-1"), CancellationToken.None);

        Assert.Equal(first, again);
        var balances = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(10_000m - first.Cost - first.Fee, balances.Free("USDT"));
        Assert.Equal(0.01m, balances.Free("BTC"));
        Assert.Equal(1, store.Saves);
    }

    [Fact]
    public async Task A_restarted_exchange_resumes_balances_and_remembers_client_order_ids()
    {
        var (exchange, store, time) = Create(MidCandle12);
        var first = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None);

        using var restarted = NewExchange(store, time);
        var again = await restarted.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None);

        Assert.Equal(first, again);
        Assert.Equal(10_000m - first.Cost - first.Fee, (await restarted.FetchBalanceAsync(CancellationToken.None)).Free("USDT"));
        Assert.Equal(1, store.Saves);
    }

    [Fact]
    public async Task Unknown_symbol_is_a_bad_symbol_everywhere()
    {
        var (exchange, _, _) = Create(MidCandle12);

        var ticker = await Assert.ThrowsAsync<ExchangeException>(() => exchange.FetchTickerAsync("DOGE/USDT", CancellationToken.None));
        var ohlcv = await Assert.ThrowsAsync<ExchangeException>(() => exchange.FetchOhlcvAsync("DOGE/USDT", "5m", 10, CancellationToken.None));
        var order = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(
            new OrderRequest("DOGE/USDT", OrderType.Market, OrderSide.Buy, 100m, null, "c-doge"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.BadSymbol, ticker.ErrorType);
        Assert.Equal(ExchangeErrorType.BadSymbol, ohlcv.ErrorType);
        Assert.Equal(ExchangeErrorType.BadSymbol, order.ErrorType);
        Assert.False(ticker.IsTransient);
    }

    // Regression: a fill once debited the cached balances before the store saved it, so a failed save
    // followed by the engine's retry with the same ClientOrderId charged twice.
    [Fact]
    public async Task Failed_save_leaves_balances_untouched_so_a_retry_charges_once()
    {
        var (exchange, store, _) = Create(MidCandle12);
        store.FailNextSave = true;

        await Assert.ThrowsAsync<IOException>(() => exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None));
        var afterFailure = await exchange.FetchBalanceAsync(CancellationToken.None);
        var retry = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "c-1"), CancellationToken.None);
        var afterRetry = await exchange.FetchBalanceAsync(CancellationToken.None);

        Assert.Equal(10_000m, afterFailure.Free("USDT"));
        Assert.Equal(0m, afterFailure.Free("BTC"));
        Assert.Equal(10_000m - retry.Cost - retry.Fee, afterRetry.Free("USDT"));
        Assert.Equal(0.01m, afterRetry.Free("BTC"));
    }

    [Fact]
    public async Task By_default_a_buy_pays_its_fee_in_the_base_asset_received_and_a_sell_in_quote_as_Binance_spot_does()
    {
        var time = new FakeTimeProvider(WallTimeFor(MidCandle12));
        var exchange = NewExchange(new RecordingPaperAccountStore(), time, new PaperExchangeOptions());
        var ticker = await exchange.FetchTickerAsync(Btc, CancellationToken.None);

        var buy = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Buy, 0.01m, "b-1"), CancellationToken.None);

        // 0.1% of the 0.01 BTC received is 0.00001 BTC: the account holds 0.00999 BTC and paid only the cost in USDT.
        Assert.Equal(("BTC", 0.00001m), (buy.FeeCurrency, buy.Fee));
        var afterBuy = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(0.00999m, afterBuy.Free("BTC"));
        Assert.Equal(10_000m - buy.Cost, afterBuy.Free("USDT"));

        // Selling the 0.01 bought is what Binance refuses (-2010): only 0.00999 is there.
        var refused = await Assert.ThrowsAsync<ExchangeException>(() => exchange.CreateOrderAsync(MarketOrder(OrderSide.Sell, 0.01m, "s-1"), CancellationToken.None));
        Assert.Equal(ExchangeErrorType.InsufficientFunds, refused.ErrorType);

        var sell = await exchange.CreateOrderAsync(MarketOrder(OrderSide.Sell, 0.00999m, "s-2"), CancellationToken.None);
        var sellPrice = Math.Round(ticker.Bid * 0.9998m, 8, MidpointRounding.AwayFromZero);
        Assert.Equal(("USDT", Math.Round(0.00999m * sellPrice * 0.001m, 8, MidpointRounding.AwayFromZero)), (sell.FeeCurrency, sell.Fee));
        var afterSell = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(0m, afterSell.Free("BTC"));
        Assert.Equal(10_000m - buy.Cost + (0.00999m * sellPrice) - sell.Fee, afterSell.Free("USDT"));
    }

    private static OrderRequest MarketOrder(OrderSide side, decimal amount, string clientOrderId) =>
        new(Btc, OrderType.Market, side, amount, null, clientOrderId);

    private static (PaperExchange Exchange, RecordingPaperAccountStore Store, FakeTimeProvider Time) Create(TimeSpan btcMarketOffset)
    {
        var time = new FakeTimeProvider(WallTimeFor(btcMarketOffset));
        var store = new RecordingPaperAccountStore();
        return (NewExchange(store, time), store, time);
    }

    internal static PaperExchange NewExchange(IPaperAccountStore store, FakeTimeProvider time, PaperExchangeOptions? options = null)
    {
        // These tests' figures were written for fees in quote; the Binance-like default (fees in the asset received) has its own tests.
        var o = Options.Create(options ?? new PaperExchangeOptions { FeeAsset = FeeAssets.Quote });
        return new PaperExchange(new ReplayMarketData(Replay, o, time), store, o, time, NullLogger<PaperExchange>.Instance);
    }

    /// <summary>The clock time at which the BTC/USDT data shows Start + <paramref name="marketOffset"/> (the feed reads the data at its clock's time).</summary>
    internal static DateTimeOffset WallTimeFor(TimeSpan marketOffset)
    {
        Assert.True(Replay.TryGetSeries(Btc, out var series));
        return series.Start + marketOffset;
    }
}
