using System.Text.Json;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>
/// The Binance spot account stand-in on its own, spoken to with raw signed requests (no product code): it must keep
/// the books the way Binance does before the adapter and the trade desk are tested against it. Every expected figure
/// is worked out by hand in the comments.
/// </summary>
public sealed class BinanceSpotAccountTests
{
    private static async Task<BinanceSpotAccount> BtcAccountAsync()
    {
        var account = await BinanceSpotAccount.StartAsync();
        account.SetBalance("USDT", 100m);
        account.SetBook("BTC/USDT", [(49_990m, 1m)], [(50_000m, 1m)]);
        return account;
    }

    private static (string, string)[] Order(string side, string type, string quantity, string respType = "FULL", string? clientId = null, string? price = null)
    {
        var p = new List<(string, string)> { ("symbol", "BTCUSDT"), ("side", side), ("type", type), ("quantity", quantity), ("newOrderRespType", respType) };
        if (price is not null)
        {
            p.Add(("price", price));
            p.Add(("timeInForce", "GTC"));
        }

        if (clientId is not null)
        {
            p.Add(("newClientOrderId", clientId));
        }

        return [.. p];
    }

    private static decimal Dec(JsonElement e, string name) => decimal.Parse(e.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertRejected((int Status, JsonElement Body) answer, int code, string msg)
    {
        Assert.Equal(400, answer.Status);
        Assert.Equal(code, answer.Body.GetProperty("code").GetInt32());
        Assert.Equal(msg, answer.Body.GetProperty("msg").GetString());
    }

    [Fact]
    public async Task Market_buy_is_charged_in_base_so_the_full_amount_cannot_be_sold_but_the_floored_holding_can()
    {
        await using var account = await BtcAccountAsync();

        var buy = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "MARKET", "0.00118"));

        // Cost 0.00118 × 50,000 = 59 USDT, so 100 − 59 = 41 USDT left.
        // Commission 0.1% of the 0.00118 BTC received = 0.00000118 BTC, so 0.00118 − 0.00000118 = 0.00117882 BTC held.
        Assert.Equal(200, buy.Status);
        Assert.Equal("FILLED", buy.Body.GetProperty("status").GetString());
        var fill = Assert.Single(buy.Body.GetProperty("fills").EnumerateArray());
        Assert.Equal((0.00000118m, "BTC"), (Dec(fill, "commission"), fill.GetProperty("commissionAsset").GetString()));
        Assert.Equal(new SpotBalance(0.00117882m, 0m), account.BalanceOf("BTC"));
        Assert.Equal(new SpotBalance(41m, 0m), account.BalanceOf("USDT"));

        // Selling what was bought needs 0.00118 BTC; only 0.00117882 is there.
        var sellAll = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("SELL", "MARKET", "0.00118"));
        AssertRejected(sellAll, -2010, "Account has insufficient balance for requested action.");
        Assert.Equal(new SpotBalance(0.00117882m, 0m), account.BalanceOf("BTC"));

        // 0.00117882 floored to the 0.00001 step = 0.00117, sold at the 49,990 bid: 0.00117 × 49,990 = 58.4883 USDT.
        // Commission 0.1% of the 58.4883 USDT received = 0.0584883 USDT: 41 + 58.4883 − 0.0584883 = 99.4298117 USDT.
        var sell = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("SELL", "MARKET", "0.00117"));
        Assert.Equal(200, sell.Status);
        var sold = Assert.Single(sell.Body.GetProperty("fills").EnumerateArray());
        Assert.Equal((0.0584883m, "USDT"), (Dec(sold, "commission"), sold.GetProperty("commissionAsset").GetString()));
        Assert.Equal(58.4883m, Dec(sell.Body, "cummulativeQuoteQty"));
        Assert.Equal(99.4298117m, account.BalanceOf("USDT").Free);
        Assert.Equal(0.00000882m, account.BalanceOf("BTC").Free); // 0.00117882 − 0.00117
    }

    [Fact]
    public async Task Commission_is_paid_in_bnb_while_the_free_bnb_covers_the_fill()
    {
        await using var account = await BtcAccountAsync();
        account.BnbPaysFees = true;
        account.BnbPrice = 500m;
        account.SetBalance("BNB", 1m);

        var buy = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "MARKET", "0.00118"));

        // 59 USDT traded × 0.1% × (1 − 25% BNB discount) / 500 USDT per BNB = 0.0000885 BNB; all 0.00118 BTC is kept.
        var fill = Assert.Single(buy.Body.GetProperty("fills").EnumerateArray());
        Assert.Equal((0.0000885m, "BNB"), (Dec(fill, "commission"), fill.GetProperty("commissionAsset").GetString()));
        Assert.Equal(0.00118m, account.BalanceOf("BTC").Free);
        Assert.Equal(0.9999115m, account.BalanceOf("BNB").Free); // 1 − 0.0000885
    }

    [Fact]
    public async Task Lot_size_and_notional_filters_refuse_as_binance_does()
    {
        await using var account = await BtcAccountAsync();

        // 0.001185 is not a multiple of the 0.00001 step; 0.00005 × 50,000 = 2.5 USDT is under the 5 USDT notional.
        var offStep = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "MARKET", "0.001185"));
        var tooSmall = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "MARKET", "0.00005"));

        AssertRejected(offStep, -1013, "Filter failure: LOT_SIZE");
        AssertRejected(tooSmall, -1013, "Filter failure: NOTIONAL");
        Assert.Empty(account.Orders);
        Assert.Equal(100m, account.BalanceOf("USDT").Free);
    }

    [Fact]
    public async Task Client_order_id_is_refused_while_its_order_is_open_and_accepted_again_once_it_filled()
    {
        await using var account = await BtcAccountAsync();

        // A buy limit at 49,000 rests under the 50,000 ask and locks 0.0002 × 49,000 = 9.8 USDT.
        var first = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "LIMIT", "0.0002", clientId: "nt-1", price: "49000"));
        var duplicate = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "LIMIT", "0.0002", clientId: "nt-1", price: "49000"));
        Assert.Equal("NEW", first.Body.GetProperty("status").GetString());
        AssertRejected(duplicate, -2010, "Duplicate order sent.");
        Assert.Equal(new SpotBalance(90.2m, 9.8m), account.BalanceOf("USDT"));

        // The ask comes down to 48,900: the resting order fills as maker at its own 49,000, paying 9.8 USDT.
        account.SetBook("BTC/USDT", [(48_800m, 1m)], [(48_900m, 1m)]);
        var again = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "LIMIT", "0.0002", clientId: "nt-1", price: "49000"));

        Assert.Equal(200, again.Status);
        Assert.NotEqual(first.Body.GetProperty("orderId").GetInt64(), again.Body.GetProperty("orderId").GetInt64());
        Assert.Equal(["FILLED", "FILLED"], account.Orders.Select(o => o.Status));
        Assert.True(account.Trades[0].IsMaker);
        Assert.False(account.Trades[1].IsMaker);
    }

    [Fact]
    public async Task Only_a_full_answer_lists_fills_and_the_trades_keep_the_commission()
    {
        await using var account = await BtcAccountAsync();

        var result = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "MARKET", "0.00118", respType: "RESULT"));
        var ack = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "MARKET", "0.0001", respType: "ACK"));
        var lookup = await account.CallAsync(HttpMethod.Get, "/api/v3/order", [("symbol", "BTCUSDT"), ("orderId", result.Body.GetProperty("orderId").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        var trades = await account.CallAsync(HttpMethod.Get, "/api/v3/myTrades", [("symbol", "BTCUSDT")]);

        Assert.Equal(("FILLED", false), (result.Body.GetProperty("status").GetString(), result.Body.TryGetProperty("fills", out _)));
        Assert.False(ack.Body.TryGetProperty("status", out _));
        Assert.Equal((0.00118m, false), (Dec(lookup.Body, "executedQty"), lookup.Body.TryGetProperty("fills", out _)));
        var trade = trades.Body[0];
        // 0.00118 × 50,000 = 59 USDT; 0.1% of 0.00118 BTC = 0.00000118 BTC.
        Assert.Equal((50_000m, 0.00118m, 59m, 0.00000118m, "BTC", true, false),
            (Dec(trade, "price"), Dec(trade, "qty"), Dec(trade, "quoteQty"), Dec(trade, "commission"), trade.GetProperty("commissionAsset").GetString(), trade.GetProperty("isBuyer").GetBoolean(), trade.GetProperty("isMaker").GetBoolean()));
        Assert.Equal(2, trades.Body.GetArrayLength());
    }

    [Fact]
    public async Task Unknown_order_is_order_does_not_exist_and_a_cancel_gives_locked_funds_back()
    {
        await using var account = await BtcAccountAsync();
        var resting = await account.CallAsync(HttpMethod.Post, "/api/v3/order", Order("BUY", "LIMIT", "0.0002", clientId: "nt-rest", price: "49000"));

        var unknown = await account.CallAsync(HttpMethod.Get, "/api/v3/order", [("symbol", "BTCUSDT"), ("origClientOrderId", "nt-never")]);
        var open = await account.CallAsync(HttpMethod.Get, "/api/v3/openOrders", [("symbol", "BTCUSDT")]);
        var cancel = await account.CallAsync(HttpMethod.Delete, "/api/v3/order", [("symbol", "BTCUSDT"), ("origClientOrderId", "nt-rest")]);
        var cancelAgain = await account.CallAsync(HttpMethod.Delete, "/api/v3/order", [("symbol", "BTCUSDT"), ("origClientOrderId", "nt-rest")]);

        Assert.Equal("NEW", resting.Body.GetProperty("status").GetString());
        AssertRejected(unknown, -2013, "Order does not exist.");
        Assert.Equal(1, open.Body.GetArrayLength());
        Assert.Equal(("CANCELED", "nt-rest"), (cancel.Body.GetProperty("status").GetString(), cancel.Body.GetProperty("origClientOrderId").GetString()));
        AssertRejected(cancelAgain, -2011, "Unknown order sent.");
        Assert.Equal(new SpotBalance(100m, 0m), account.BalanceOf("USDT"));
    }

    [Fact]
    public async Task A_request_with_a_wrong_signature_is_refused()
    {
        await using var account = await BtcAccountAsync();

        var timestamp = account.Server.ServerTime().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var forged = await account.CallAsync(HttpMethod.Get, "/api/v3/account", [("timestamp", timestamp), ("signature", "00")], signed: false);
        var signed = await account.CallAsync(HttpMethod.Get, "/api/v3/account", []);

        AssertRejected(forged, -1022, "Signature for this request is not valid.");
        Assert.Equal(200, signed.Status);
    }
}
