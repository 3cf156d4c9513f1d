using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>GET /api/v1/ai/trades</c> over trades stored in Azurite: the span (UTC closing days, the last week by default),
/// the symbol filter, pages that neither skip nor repeat a trade, CSV for audit, and a 400 naming each bad parameter.
/// Figures worked out by hand from the stored prices and fees.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TradeHistoryTests(AzuriteFixture azurite)
{
    /// <summary>Market time of the tests' app at its start (the pinned anchor makes it a fixed instant of 2023-01).</summary>
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Trades_are_listed_oldest_close_first_filtered_paged_and_as_csv()
    {
        await using var app = TestApp.Create(azurite, Start);
        var today = app.Market.GetUtcNow();
        var day = new DateTimeOffset(today.UtcDateTime.Date, TimeSpan.Zero);
        var store = app.Get<IPositionStore>();

        // Long 0.002 BTC at 50,000 (fee 0.1) sold at 50,500 (fee 0.101): 0.002 × 500 − 0.1 − 0.101 = 0.799.
        await store.CloseAsync(Trade("p1", "BTC/USDT", 0.002m, 50_000m, 0.1m, 50_500m, 0.101m, day.AddHours(-30), ExitReason.TakeProfit), CancellationToken.None);
        // Same day, later: 0.001 × (49,900 − 50,000) − 0.05 − 0.0499 = −0.1999.
        await store.CloseAsync(Trade("p2", "BTC/USDT", 0.001m, 50_000m, 0.05m, 49_900m, 0.0499m, day.AddHours(-20), ExitReason.StopLoss), CancellationToken.None);
        await store.CloseAsync(Trade("p3", "ETH/BTC", 0.5m, 0.07m, 0.000035m, 0.0701m, 0.00003505m, day.AddHours(-19), ExitReason.Timeout), CancellationToken.None);
        await store.CloseAsync(Trade("p4", "BTC/USDT", 0.002m, 51_000m, 0.102m, 51_100m, 0.1022m, day.AddHours(1), ExitReason.Timeout), CancellationToken.None);
        // Ten days ago: outside the default week.
        await store.CloseAsync(Trade("p0", "BTC/USDT", 0.002m, 40_000m, 0.08m, 40_100m, 0.0802m, day.AddDays(-10), ExitReason.Timeout), CancellationToken.None);

        var functions = ActivatorUtilities.CreateInstance<TradeFunctions>(app.Services);
        var all = await JsonAsync(functions, new() { });
        Assert.Equal(["p1", "p2", "p3", "p4"], Ids(all));
        var first = all.GetProperty("trades")[0];
        Assert.Equal(0.799m, first.GetProperty("pnl").GetDecimal());
        Assert.Equal("take_profit", first.GetProperty("exit_reason").GetString());
        Assert.Equal("d-p1", first.GetProperty("decision_id").GetString());
        Assert.Equal(-0.1999m, all.GetProperty("trades")[1].GetProperty("pnl").GetDecimal());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next_cursor").ValueKind);

        var btc = await JsonAsync(functions, new() { ["symbol"] = "btc/usdt", ["from"] = day.AddDays(-10).ToString("yyyy-MM-dd") });
        Assert.Equal(["p0", "p1", "p2", "p4"], Ids(btc));

        // Pages of two: every trade once, in order.
        var page1 = await JsonAsync(functions, new() { ["limit"] = "2" });
        Assert.Equal(["p1", "p2"], Ids(page1));
        var page2 = await JsonAsync(functions, new() { ["limit"] = "2", ["cursor"] = page1.GetProperty("next_cursor").GetString()! });
        Assert.Equal(["p3", "p4"], Ids(page2));
        Assert.Equal(JsonValueKind.Null, page2.GetProperty("next_cursor").ValueKind);

        // CSV: a header, one line per trade, the next page in a header.
        var http = Request(new() { ["format"] = "csv", ["limit"] = "3" });
        var csv = Assert.IsType<ContentResult>(await functions.List(http, CancellationToken.None));
        Assert.StartsWith("text/csv", csv.ContentType, StringComparison.Ordinal);
        var lines = csv.Content!.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("position_id,decision_id,symbol,side,amount,entry_time,entry_price,entry_fees,exit_time,exit_price,exit_fees", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("p1,d-p1,BTC/USDT,long,0.002,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",0.799,", lines[1], StringComparison.Ordinal);
        Assert.Contains(",take_profit,", lines[1], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(http.HttpContext.Response.Headers[TradeFunctions.NextCursorHeader]));
    }

    [Theory]
    [InlineData("format", "xml")]
    [InlineData("symbol", "BTCUSDT")]
    [InlineData("from", "yesterday")]
    [InlineData("to", "2026-13-01")]
    [InlineData("limit", "0")]
    [InlineData("limit", "1001")]
    [InlineData("cursor", "not a cursor")]
    public async Task A_bad_parameter_is_a_400_naming_it(string name, string value)
    {
        await using var app = TestApp.Create(azurite, Start);

        var result = Assert.IsType<ContentResult>(await ActivatorUtilities.CreateInstance<TradeFunctions>(app.Services).List(Request(new() { [name] = value }), CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, result.StatusCode);
        Assert.Equal("application/problem+json", result.ContentType);
        using var problem = JsonDocument.Parse(result.Content!);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(name, out _), result.Content);
    }

    [Fact]
    public async Task A_span_backwards_or_longer_than_a_year_is_refused()
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<TradeFunctions>(app.Services);

        var backwards = Assert.IsType<ContentResult>(await functions.List(Request(new() { ["from"] = "2026-03-02", ["to"] = "2026-03-01" }), CancellationToken.None));
        var long_ = Assert.IsType<ContentResult>(await functions.List(Request(new() { ["from"] = "2025-01-01", ["to"] = "2026-03-01" }), CancellationToken.None));

        Assert.Equal(400, backwards.StatusCode);
        Assert.Contains("'from' is after 'to'", backwards.Content, StringComparison.Ordinal);
        Assert.Equal(400, long_.StatusCode);
        Assert.Contains("at most 366 days", long_.Content, StringComparison.Ordinal);
    }

    private static Position Trade(string id, string symbol, decimal amount, decimal entry, decimal entryFee, decimal exit, decimal exitFee, DateTimeOffset closedAt, ExitReason reason) =>
        new(id, symbol, PositionSide.Long, amount, entry, entryFee, entry * 0.99m, entry * 1.02m, closedAt.AddMinutes(-2), $"o-{id}", $"d-{id}", closedAt.AddMinutes(-2), exit, exitFee, closedAt, reason);

    private static HttpRequest Request(Dictionary<string, StringValues> query)
    {
        var context = new DefaultHttpContext();
        context.Request.Query = new QueryCollection(query);
        return context.Request;
    }

    private static async Task<JsonElement> JsonAsync(TradeFunctions functions, Dictionary<string, StringValues> query)
    {
        var result = Assert.IsType<ContentResult>(await functions.List(Request(query), CancellationToken.None));
        Assert.True(result.StatusCode == 200, result.Content);
        return JsonDocument.Parse(result.Content!).RootElement.Clone();
    }

    private static string[] Ids(JsonElement page) =>
        [.. page.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("position_id").GetString()!)];
}
