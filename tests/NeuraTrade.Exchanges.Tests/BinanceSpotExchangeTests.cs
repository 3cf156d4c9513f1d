using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

public sealed class BinanceSpotExchangeTests
{
    private static OrderRequest LimitBuy(decimal amount, decimal price, string clientOrderId = "nt-test-1") =>
        new("LTC/USDT", OrderType.Limit, OrderSide.Buy, amount, price, clientOrderId);

    [Fact]
    public void Signature_is_the_hex_hmac_sha256_of_the_payload_as_in_binance_docs()
    {
        // The worked example of Binance's spot API documentation (SIGNED endpoint examples).
        const string secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
        const string payload = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";

        Assert.Equal("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71", BinanceSigner.Sign(secret, payload));
    }

    [Fact]
    public async Task Create_order_signs_the_query_with_hmac_sha256()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);

        await app.Exchange.CreateOrderAsync(LimitBuy(0.2m, 50m), CancellationToken.None);

        var sent = Assert.Single(server.To("POST", "/api/v3/order"));
        SignatureAssert.IsValid(sent);
        Assert.Equal("application/x-www-form-urlencoded", sent.Headers["Content-Type"].Split(';')[0]);
        Assert.Contains(new KeyValuePair<string, string>("newClientOrderId", "nt-test-1"), sent.Parameters);
    }

    [Fact]
    public async Task Signed_requests_carry_a_timestamp_on_binance_clock()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        server.ServerTime = () => app.Time.GetUtcNow().AddSeconds(7);

        await app.Exchange.FetchBalanceAsync(CancellationToken.None);

        var sent = Assert.Single(server.To("GET", "/api/v3/account"));
        var timestamp = long.Parse(sent.Parameters.Single(p => p.Key == "timestamp").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(app.Time.GetUtcNow().AddSeconds(7).ToUnixTimeMilliseconds(), timestamp);
        Assert.Equal("5000", sent.Parameters.Single(p => p.Key == "recvWindow").Value);
    }

    [Fact]
    public async Task Timestamp_rejection_measures_the_clock_again_and_retries_once()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        var calls = 0;
        var balance = ExchangeFixtures.ResponseCase("fetchBalance", "Spot balance").GetProperty("httpResponse").GetRawText();
        server.Respond("GET", "/api/v3/account", _ => ++calls == 1
            ? new CannedResponse(400, """{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."}""")
            : new CannedResponse(200, balance));

        var balances = await app.Exchange.FetchBalanceAsync(CancellationToken.None);

        Assert.Equal(0.919741m, balances.Free("LTC"));
        Assert.Equal(2, server.To("GET", "/api/v3/account").Count);
        Assert.Equal(2, server.To("GET", "/api/v3/time").Count);
    }

    [Fact]
    public async Task Amount_is_rounded_down_to_the_step_and_price_to_the_tick()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);

        await app.Exchange.CreateOrderAsync(LimitBuy(0.4239999m, 55.326m), CancellationToken.None);

        var sent = server.To("POST", "/api/v3/order").Single().Parameters;
        Assert.Equal("0.423", sent.Single(p => p.Key == "quantity").Value);
        Assert.Equal("55.33", sent.Single(p => p.Key == "price").Value);
    }

    [Fact]
    public async Task Order_below_the_minimum_notional_is_refused_before_sending()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);

        // 0.05 LTC at 50 USDT is 2.5 USDT, below LTCUSDT's 5 USDT minimum notional.
        var ex = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.CreateOrderAsync(LimitBuy(0.05m, 50m), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InvalidOrder, ex.ErrorType);
        Assert.Contains("minimum notional", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.To("POST", "/api/v3/order"));
    }

    [Fact]
    public async Task Market_sell_without_a_price_checks_the_notional_at_the_book_ticker()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);

        // 0.0001 BTC at the 42,574 bid is about 4.26 USDT, below 5.
        var ex = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.CreateOrderAsync(
            new OrderRequest("BTC/USDT", OrderType.Market, OrderSide.Sell, 0.0001m, null, "nt-sell"), CancellationToken.None));

        Assert.Equal(ExchangeErrorType.InvalidOrder, ex.ErrorType);
        Assert.Single(server.To("GET", "/api/v3/ticker/bookTicker"));
        Assert.Empty(server.To("POST", "/api/v3/order"));
    }

    [Theory]
    [InlineData(400, """{"code":-2010,"msg":"Account has insufficient balance for requested action."}""", ExchangeErrorType.InsufficientFunds)]
    [InlineData(400, """{"code":-1013,"msg":"Filter failure: LOT_SIZE"}""", ExchangeErrorType.InvalidOrder)]
    [InlineData(401, """{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}""", ExchangeErrorType.Authentication)]
    [InlineData(400, """{"code":-1022,"msg":"Signature for this request is not valid."}""", ExchangeErrorType.Authentication)]
    [InlineData(400, """{"code":-1121,"msg":"Invalid symbol."}""", ExchangeErrorType.BadSymbol)]
    [InlineData(429, """{"code":-1003,"msg":"Too many requests."}""", ExchangeErrorType.RateLimited)]
    [InlineData(418, """{"code":-1003,"msg":"Way too many requests; IP banned."}""", ExchangeErrorType.RateLimited)]
    [InlineData(503, """{"code":-1008,"msg":"Service Unavailable."}""", ExchangeErrorType.ExchangeNotAvailable)]
    [InlineData(502, "<html>Bad Gateway</html>", ExchangeErrorType.ExchangeNotAvailable)]
    public async Task Binance_errors_map_to_unified_error_types(int status, string body, ExchangeErrorType expected)
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        server.Respond("GET", "/api/v3/account", body, status);

        var ex = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchBalanceAsync(CancellationToken.None));

        Assert.Equal(expected, ex.ErrorType);
    }

    [Fact]
    public async Task Unknown_order_is_order_not_found()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        server.Respond("GET", "/api/v3/order", """{"code":-2013,"msg":"Order does not exist."}""", 400);

        var ex = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchOrderAsync("42", "LTC/USDT", CancellationToken.None));

        Assert.Equal(ExchangeErrorType.OrderNotFound, ex.ErrorType);
    }

    [Fact]
    public async Task Rate_limit_answer_stops_further_requests_until_retry_after()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        server.Respond("GET", "/api/v3/ticker/24hr", """{"code":-1003,"msg":"Too many requests."}""", 429, new Dictionary<string, string> { ["Retry-After"] = "30" });

        await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchTickerAsync("BTC/USDT", CancellationToken.None));
        var second = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchOrderBookAsync("BTC/USDT", 5, CancellationToken.None));
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await app.Exchange.FetchOrderBookAsync("BTC/USDT", 5, CancellationToken.None);

        Assert.Equal(ExchangeErrorType.RateLimited, second.ErrorType);
        Assert.Single(server.To("GET", "/api/v3/ticker/24hr"));
        Assert.Single(server.To("GET", "/api/v3/depth"));
    }

    [Fact]
    public async Task Used_weight_header_near_the_limit_holds_requests_back_until_the_next_minute()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        var ticker = ExchangeFixtures.ResponseCase("fetchTicker", "public spot ticker").GetProperty("httpResponse").GetRawText();
        server.Respond("GET", "/api/v3/ticker/24hr", ticker, 200, new Dictionary<string, string> { ["X-MBX-USED-WEIGHT-1M"] = "5399" });

        await app.Exchange.FetchTickerAsync("BTC/USDT", CancellationToken.None);
        var held = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchTickerAsync("BTC/USDT", CancellationToken.None));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.Exchange.FetchTickerAsync("BTC/USDT", CancellationToken.None);

        Assert.Equal(ExchangeErrorType.RateLimited, held.ErrorType);
        Assert.True(held.IsTransient);
        Assert.Equal(2, server.To("GET", "/api/v3/ticker/24hr").Count);
    }

    [Fact]
    public async Task Public_reads_are_retried_on_server_errors()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        var calls = 0;
        var depth = ExchangeFixtures.ResponseCase("fetchOrderBook", "spot orderbook").GetProperty("httpResponse").GetRawText();
        server.Respond("GET", "/api/v3/depth", _ => ++calls < 3 ? new CannedResponse(502, "bad gateway") : new CannedResponse(200, depth));

        var book = await app.Exchange.FetchOrderBookAsync("BTC/USDT", 2, CancellationToken.None);

        Assert.Equal(42574.3m, book.Bids[0].Price);
        Assert.Equal(3, server.To("GET", "/api/v3/depth").Count);
    }

    [Fact]
    public async Task Failed_order_post_is_not_resent_but_looked_up_by_client_order_id()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        server.Respond("POST", "/api/v3/order", """{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}""", 503);
        var placed = ExchangeFixtures.ResponseCase("fetchOrder", "Fetch spot closed order").GetProperty("httpResponse").GetRawText();
        server.Respond("GET", "/api/v3/order", placed);

        var order = await app.Exchange.CreateOrderAsync(LimitBuy(0.2m, 50m, "nt-lookup"), CancellationToken.None);

        Assert.Single(server.To("POST", "/api/v3/order"));
        var lookup = Assert.Single(server.To("GET", "/api/v3/order"));
        Assert.Contains(new KeyValuePair<string, string>("origClientOrderId", "nt-lookup"), lookup.Parameters);
        Assert.Equal("3397148653", order.Id);
    }

    [Fact]
    public void Long_client_order_ids_become_a_stable_binance_safe_id()
    {
        var id = "nt-exit-pos-0197a1b2c3d4e5f60718293a4b5c6d7e";

        var first = BinanceSpotExchange.ClientOrderId(id);

        Assert.Equal(first, BinanceSpotExchange.ClientOrderId(id));
        Assert.True(first.Length <= 36);
        Assert.Matches("^[.A-Z:/a-z0-9_-]{1,36}$", first);
        Assert.NotEqual(first, BinanceSpotExchange.ClientOrderId(id + "x"));
        Assert.Equal("nt-short", BinanceSpotExchange.ClientOrderId("nt-short"));
    }

    [Fact]
    public async Task Ohlcv_leaves_out_the_candle_still_forming()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        var open = app.Time.GetUtcNow().AddSeconds(-30).ToUnixTimeMilliseconds();
        server.Respond("GET", "/api/v3/klines", $"""
            [[{open - 60_000},"1","2","0.5","1.5","10",{open - 1},"0",1,"0","0","0"],
             [{open},"1.5","2","1","1.8","3",{open + 59_999},"0",1,"0","0","0"]]
            """);

        var candles = await app.Exchange.FetchOhlcvAsync("BTC/USDT", "1m", 1, CancellationToken.None);

        var only = Assert.Single(candles);
        Assert.Equal(1.5m, only.Close);
        Assert.Contains(new KeyValuePair<string, string>("limit", "2"), server.To("GET", "/api/v3/klines").Single().Parameters);
    }

    [Fact]
    public async Task Markets_carry_step_tick_and_minimum_notional_from_exchange_info()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);

        var markets = await app.Exchange.LoadMarketsAsync(CancellationToken.None);
        await app.Exchange.LoadMarketsAsync(CancellationToken.None);

        var btc = markets["BTC/USDT"];
        Assert.Equal(("BTCUSDT", 0.00001m, 0.01m, 5m), (btc.Id, btc.AmountStep, btc.TickSize, btc.MinNotional));
        Assert.False(markets["LUNA/USDT"].Active);
        Assert.Single(server.To("GET", "/api/v3/exchangeInfo"));
    }

    [Fact]
    public async Task Keys_and_secret_never_appear_in_logs()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);
        await app.Exchange.CreateOrderAsync(LimitBuy(0.2m, 50m), CancellationToken.None);
        server.Respond("GET", "/api/v3/account", """{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}""", 401);
        await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchBalanceAsync(CancellationToken.None));

        Assert.NotEmpty(app.Logs.Lines);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(ExchangeFixtures.ApiKey, StringComparison.Ordinal) || l.Contains(ExchangeFixtures.ApiSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(ExchangeFixtures.ApiSecret, new BinanceOptions { ApiKey = ExchangeFixtures.ApiKey, ApiSecret = ExchangeFixtures.ApiSecret }.ToString(), StringComparison.Ordinal);
    }
}
