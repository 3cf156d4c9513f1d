using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Binance;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>
/// Our Binance adapter (the app's own composition: HttpClient, resilience pipeline, signing) against the stateful
/// spot account stand-in: fees per currency as Binance charges them, balances that agree, and the lookups the money
/// path relies on. Expected figures are worked out by hand in the comments, never by product code.
/// </summary>
public sealed class BinanceAccountTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<BinanceSpotAccount> BtcAccountAsync()
    {
        var account = await BinanceSpotAccount.StartAsync();
        account.SetBalance("USDT", 100m);
        account.SetBook("BTC/USDT", [(49_990m, 1m)], [(50_000m, 1m)]);
        return account;
    }

    private static OrderRequest Market(OrderSide side, decimal amount, string clientOrderId) =>
        new("BTC/USDT", OrderType.Market, side, amount, null, clientOrderId);

    private static OrderRequest Limit(OrderSide side, decimal amount, decimal price, string clientOrderId) =>
        new("BTC/USDT", OrderType.Limit, side, amount, price, clientOrderId);

    [Fact]
    public async Task Market_buy_fee_is_in_base_and_the_balance_agrees()
    {
        await using var account = await BtcAccountAsync();
        await using var app = TestBinance.Create(account.Server);

        var order = await app.Exchange.CreateOrderAsync(Market(OrderSide.Buy, 0.00118m, "nt-buy"), None);
        var balances = await app.Exchange.FetchBalanceAsync(None);

        var sent = Assert.Single(account.Server.To("POST", "/api/v3/order"));
        Assert.Contains(new KeyValuePair<string, string>("newOrderRespType", "FULL"), sent.Parameters);
        // 0.1% of the 0.00118 BTC received = 0.00000118 BTC; 0.00118 × 50,000 = 59 USDT paid.
        Assert.Equal([new FeeCharge("BTC", 0.00000118m)], order.Fees);
        Assert.Equal((0.00000118m, "BTC", true), (order.Fee, order.FeeCurrency, order.FeesKnown));
        Assert.Equal((OrderStatus.Closed, 0.00118m, 59m, 50_000m), (order.Status, order.Filled, order.Cost, order.Average));
        // 0.00118 − 0.00000118 = 0.00117882 BTC; 100 − 59 = 41 USDT.
        Assert.Equal((0.00117882m, 41m), (balances.Free("BTC"), balances.Free("USDT")));
    }

    [Fact]
    public async Task Market_buy_with_an_expected_price_spends_that_quote_amount_and_buys_the_stepped_quantity_it_affords()
    {
        await using var account = await BtcAccountAsync();
        await using var app = TestBinance.Create(account.Server);

        var order = await app.Exchange.CreateOrderAsync(new OrderRequest("BTC/USDT", OrderType.Market, OrderSide.Buy, 0.0012m, 49_990m, "nt-by-quote"), None);

        // quoteOrderQty 0.0012 × 49,990 = 59.988 USDT; at the 50,000 ask that is 0.00119976 BTC, floored to the step: 0.00119.
        Assert.Contains(new KeyValuePair<string, string>("quoteOrderQty", "59.988"), Assert.Single(account.Server.To("POST", "/api/v3/order")).Parameters);
        // 0.00119 × 50,000 = 59.5 USDT; fee 0.1% of 0.00119 BTC = 0.00000119 BTC.
        Assert.Equal((0.00119m, 0.00119m, 59.5m), (order.Amount, order.Filled, order.Cost));
        Assert.Equal([new FeeCharge("BTC", 0.00000119m)], order.Fees);
        // 0.00119 − 0.00000119 = 0.00118881 BTC; 100 − 59.5 = 40.5 USDT.
        Assert.Equal((new SpotBalance(0.00118881m, 0m), new SpotBalance(40.5m, 0m)), (account.BalanceOf("BTC"), account.BalanceOf("USDT")));
    }

    [Fact]
    public async Task Selling_the_amount_bought_is_insufficient_funds_and_selling_the_floored_holding_pays_fee_in_quote()
    {
        await using var account = await BtcAccountAsync();
        await using var app = TestBinance.Create(account.Server);
        await app.Exchange.CreateOrderAsync(Market(OrderSide.Buy, 0.00118m, "nt-buy"), None);

        var refused = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.CreateOrderAsync(Market(OrderSide.Sell, 0.00118m, "nt-sell-all"), None));
        // The adapter floors 0.00117882 to the 0.00001 step: 0.00117 BTC at the 49,990 bid = 58.4883 USDT.
        var sold = await app.Exchange.CreateOrderAsync(Market(OrderSide.Sell, 0.00117882m, "nt-sell"), None);

        Assert.Equal(ExchangeErrorType.InsufficientFunds, refused.ErrorType);
        Assert.Equal(0.00117m, sold.Filled);
        // 0.1% of the 58.4883 USDT received = 0.0584883 USDT.
        Assert.Equal([new FeeCharge("USDT", 0.0584883m)], sold.Fees);
        // 41 + 58.4883 − 0.0584883 = 99.4298117 USDT; 0.00117882 − 0.00117 = 0.00000882 BTC left as dust.
        var balances = await app.Exchange.FetchBalanceAsync(None);
        Assert.Equal((0.00000882m, 99.4298117m), (balances.Free("BTC"), balances.Free("USDT")));
    }

    [Fact]
    public async Task Fills_charged_in_two_assets_give_both_fees_never_zero()
    {
        await using var account = await BtcAccountAsync();
        account.SetBook("BTC/USDT", [(49_990m, 1m)], [(50_000m, 0.001m), (50_010m, 1m)]);
        account.BnbPaysFees = true;
        account.BnbPrice = 500m;
        account.SetBalance("BNB", 0.00008m);
        await using var app = TestBinance.Create(account.Server);

        var order = await app.Exchange.CreateOrderAsync(Market(OrderSide.Buy, 0.00118m, "nt-two-assets"), None);

        // Fill 1: 0.001 BTC at 50,000 = 50 USDT; in BNB 50 × 0.1% × (1 − 25%) / 500 = 0.000075 BNB (0.00008 free: paid, 0.000005 left).
        // Fill 2: 0.00018 BTC at 50,010 = 9.0018 USDT; in BNB 0.0000135 > 0.000005 left, so 0.1% of 0.00018 BTC = 0.00000018 BTC.
        Assert.Equal([new FeeCharge("BNB", 0.000075m), new FeeCharge("BTC", 0.00000018m)], order.Fees);
        Assert.True(order.FeesKnown);
        Assert.Equal(order.Fees, order.FeeCharges);
        // 0.00118 − 0.00000018 = 0.00117982 BTC; 100 − 50 − 9.0018 = 40.9982 USDT; 0.00008 − 0.000075 = 0.000005 BNB.
        var balances = await app.Exchange.FetchBalanceAsync(None);
        Assert.Equal((0.00117982m, 40.9982m, 0.000005m), (balances.Free("BTC"), balances.Free("USDT"), balances.Free("BNB")));
    }

    [Fact]
    public async Task Order_answered_without_fills_has_unknown_fees_and_the_account_trades_give_them()
    {
        await using var account = await BtcAccountAsync();
        await using var app = TestBinance.Create(account.Server);
        // Binance places the order but the answer is lost: the adapter finds it by client order id (GET, no fills).
        account.FailNext("POST", "/api/v3/order", 503, """{"code":-1007,"msg":"Timeout waiting for response from backend server. Send status unknown; execution status unknown."}""", afterExecuting: true);

        var order = await app.Exchange.CreateOrderAsync(Market(OrderSide.Buy, 0.00118m, "nt-lost"), None);
        var trades = await app.Exchange.FetchMyTradesAsync("BTC/USDT", null, null, None);

        Assert.Single(account.Server.To("POST", "/api/v3/order"));
        Assert.Equal(("nt-lost", 0.00118m), (order.ClientOrderId, order.Filled));
        Assert.Equal((null, string.Empty, false), (order.Fees, order.FeeCurrency, order.FeesKnown));
        var trade = Assert.Single(trades, t => t.OrderId == order.Id);
        // 0.1% of the 0.00118 BTC received.
        Assert.Equal((0.00000118m, "BTC", 0.00118m, 59m), (trade.Fee, trade.FeeCurrency, trade.Amount, trade.Cost));
    }

    [Fact]
    public async Task Result_answer_has_no_fills_so_its_fees_are_unknown()
    {
        await using var account = await BtcAccountAsync();

        var (status, body) = await account.CallAsync(HttpMethod.Post, "/api/v3/order",
            [("symbol", "BTCUSDT"), ("side", "BUY"), ("type", "MARKET"), ("quantity", "0.00118"), ("newOrderRespType", "RESULT")]);
        var order = BinanceParsers.Order(body, "BTC/USDT");

        Assert.Equal(200, status);
        Assert.Equal((0.00118m, null, false), (order.Filled, order.Fees, order.FeesKnown));
        Assert.Empty(order.FeeCharges);
    }

    [Fact]
    public void Fill_list_short_of_the_executed_quantity_leaves_fees_unknown()
    {
        // 0.002 executed but the fills list only 0.001 of it: the fee of the rest is not in the answer.
        using var doc = System.Text.Json.JsonDocument.Parse("""
            {"symbol":"BTCUSDT","orderId":7,"clientOrderId":"nt-short","transactTime":1,"price":"0.00000000","origQty":"0.00200000",
             "executedQty":"0.00200000","cummulativeQuoteQty":"100.00000000","status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"BUY",
             "fills":[{"price":"50000.00000000","qty":"0.00100000","commission":"0.00000100","commissionAsset":"BTC","tradeId":1}]}
            """);

        var order = BinanceParsers.Order(doc.RootElement, "BTC/USDT");

        Assert.Equal((null, string.Empty, false), (order.Fees, order.FeeCurrency, order.FeesKnown));
    }

    [Fact]
    public async Task Looked_up_and_cancelled_partial_fills_have_unknown_fees_and_keep_their_client_order_id()
    {
        await using var account = await BtcAccountAsync();
        account.SetBook("BTC/USDT", [(49_990m, 1m)], [(50_000m, 0.001m), (50_010m, 1m)]);
        await using var app = TestBinance.Create(account.Server);

        // Buy 0.002 at 50,000: the 0.001 offered at 50,000 fills now (0.1% = 0.000001 BTC), the rest rests.
        var placed = await app.Exchange.CreateOrderAsync(Limit(OrderSide.Buy, 0.002m, 50_000m, "nt-part"), None);
        var fetched = await app.Exchange.FetchOrderAsync(placed.Id, "BTC/USDT", None);
        var cancelled = await app.Exchange.CancelOrderAsync(placed.Id, "BTC/USDT", None);

        Assert.Equal((OrderStatus.Open, 0.001m, true), (placed.Status, placed.Filled, placed.FeesKnown));
        Assert.Equal([new FeeCharge("BTC", 0.000001m)], placed.Fees);
        Assert.Equal((0.001m, false), (fetched.Filled, fetched.FeesKnown));
        Assert.Equal((OrderStatus.Canceled, "nt-part", 0.001m, false), (cancelled.Status, cancelled.ClientOrderId, cancelled.Filled, cancelled.FeesKnown));
        // 100 locked at 50,000 × 0.002; 50 paid for the fill; the cancel frees the other 50.
        Assert.Equal(new SpotBalance(50m, 0m), account.BalanceOf("USDT"));
        Assert.Equal(0.000999m, account.BalanceOf("BTC").Free); // 0.001 − 0.000001
    }

    [Fact]
    public async Task Fetch_by_client_id_finds_a_known_order_is_null_for_an_unknown_one_and_throws_when_binance_fails()
    {
        await using var account = await BtcAccountAsync();
        await using var app = TestBinance.Create(account.Server);
        var placed = await app.Exchange.CreateOrderAsync(Market(OrderSide.Buy, 0.00118m, "nt-known"), None);

        var known = await app.Exchange.FetchOrderByClientIdAsync("nt-known", "BTC/USDT", None);
        var unknown = await app.Exchange.FetchOrderByClientIdAsync("nt-unknown", "BTC/USDT", None);
        account.FailNext("GET", "/api/v3/order", 503, times: 10); // more than the adapter's retries
        var failed = await Assert.ThrowsAsync<ExchangeException>(() => app.Exchange.FetchOrderByClientIdAsync("nt-known", "BTC/USDT", None));

        Assert.Equal((placed.Id, OrderStatus.Closed, 0.00118m), (known!.Id, known.Status, known.Filled));
        Assert.Null(unknown);
        Assert.Equal(ExchangeErrorType.ExchangeNotAvailable, failed.ErrorType);
    }

    [Fact]
    public async Task Client_order_id_of_an_open_order_returns_that_order_but_after_it_filled_places_a_new_one()
    {
        await using var account = await BtcAccountAsync();
        await using var app = TestBinance.Create(account.Server);

        var first = await app.Exchange.CreateOrderAsync(Limit(OrderSide.Buy, 0.0002m, 49_000m, "nt-again"), None);
        var duplicate = await app.Exchange.CreateOrderAsync(Limit(OrderSide.Buy, 0.0002m, 49_000m, "nt-again"), None);
        account.SetBook("BTC/USDT", [(48_800m, 1m)], [(48_900m, 1m)]); // the resting buy fills at 49,000
        var resent = await app.Exchange.CreateOrderAsync(Limit(OrderSide.Buy, 0.0002m, 49_000m, "nt-again"), None);

        // Binance refuses the id while the first order is open (the adapter then returns that order) ...
        Assert.Equal(first.Id, duplicate.Id);
        // ... but takes it as a new order once the first has filled: a resend must look the id up first.
        Assert.NotEqual(first.Id, resent.Id);
        Assert.Equal(2, account.Orders.Count);
    }
}
