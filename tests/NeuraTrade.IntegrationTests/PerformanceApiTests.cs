using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>GET /api/v1/ai/performance</c> over outcomes stored in Azurite (table <c>outcomes</c>): the filters read the
/// symbol, model and strategy partitions, the span defaults to the last 30 days, decisions that never traded count in the
/// resolutions but not in the statistics, and each bad parameter is a 400 naming it. Figures worked out by hand.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PerformanceApiTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Performance_is_computed_from_the_stored_outcomes_by_symbol_model_and_span()
    {
        await using var app = TestApp.Create(azurite, Start);
        var now = app.Market.GetUtcNow();
        var store = app.Get<IOutcomeStore>();
        await store.SaveAsync(Trade("o1", "BTC/USDT", "rules-v1", 0.8m, 2m, now.AddHours(-1), PositionSide.Long, ExitReason.TakeProfit), CancellationToken.None);
        await store.SaveAsync(Trade("o2", "BTC/USDT", "openai/gpt-4o-mini", 0.9m, -1m, now.AddMinutes(-30), PositionSide.Short, ExitReason.StopLoss), CancellationToken.None);
        await store.SaveAsync(Trade("o3", "ETH/USDT", "rules-v1", 0.6m, 0.5m, now.AddMinutes(-20), PositionSide.Long, ExitReason.Timeout), CancellationToken.None);
        await store.SaveAsync(Trade("o4", "BTC/USDT", "rules-v1", 0.7m, 0m, now.AddMinutes(-10), PositionSide.Long, null) with { Result = OutcomeResult.Refused, Reason = "risk gate: spread" }, CancellationToken.None);
        await store.SaveAsync(Trade("o5", "BTC/USDT", "rules-v1", 0.8m, 3m, now.AddDays(-40), PositionSide.Long, ExitReason.TakeProfit), CancellationToken.None);
        var functions = ActivatorUtilities.CreateInstance<PerformanceFunctions>(app.Services);

        var all = await JsonAsync(functions, []);
        // o1..o4 in the last 30 days; o4 never traded. Net 2 - 1 + 0.5 = 1.5; 2 of 3 won; profit factor 2.5 / 1.
        Assert.Equal(4, all.GetProperty("outcomes").GetInt32());
        var overall = all.GetProperty("overall");
        Assert.Equal((3, 1.5m, 2.5m), (overall.GetProperty("trades").GetInt32(), overall.GetProperty("net_pnl").GetDecimal(), overall.GetProperty("profit_factor").GetDecimal()));
        Assert.Equal(66.66666667m, overall.GetProperty("win_rate_percent").GetDecimal());
        Assert.Equal(1, all.GetProperty("resolutions").GetProperty("refused").GetInt32());
        Assert.Equal(["BTC/USDT", "ETH/USDT"], all.GetProperty("by_symbol").EnumerateArray().Select(g => g.GetProperty("key").GetString()));
        // Calibration of the three trades: 0.9 lost, 0.8 won, 0.6 won; Brier (0.81 + 0.04 + 0.16) / 3 = 0.336667.
        Assert.Equal(0.336667m, all.GetProperty("calibration").GetProperty("brier_score").GetDecimal());

        var btc = await JsonAsync(functions, new() { ["symbol"] = "btc/usdt" });
        Assert.Equal((2, 1m), (btc.GetProperty("overall").GetProperty("trades").GetInt32(), btc.GetProperty("overall").GetProperty("net_pnl").GetDecimal()));
        Assert.Equal((1, 1), (btc.GetProperty("overall").GetProperty("longs").GetInt32(), btc.GetProperty("overall").GetProperty("shorts").GetInt32()));

        var gpt = await JsonAsync(functions, new() { ["model"] = "openai/gpt-4o-mini", ["strategy"] = "scalping" });
        Assert.Equal((1, 0), (gpt.GetProperty("overall").GetProperty("trades").GetInt32(), gpt.GetProperty("overall").GetProperty("wins").GetInt32()));
        Assert.Equal(1, gpt.GetProperty("overall").GetProperty("exit_reasons").GetProperty("stop_loss").GetInt32());

        var longer = await JsonAsync(functions, new() { ["symbol"] = "BTC/USDT", ["from"] = now.AddDays(-50).ToString("O") });
        Assert.Equal(3, longer.GetProperty("overall").GetProperty("trades").GetInt32()); // o5 as well

        var arbitrage = await JsonAsync(functions, new() { ["strategy"] = "arbitrage" });
        Assert.Equal(0, arbitrage.GetProperty("outcomes").GetInt32());
        Assert.Equal(JsonValueKind.Null, arbitrage.GetProperty("calibration").GetProperty("brier_score").ValueKind);
    }

    [Theory]
    [InlineData("symbol", "not a symbol!")]
    [InlineData("strategy", "hodl")]
    [InlineData("model", "bad\u0001model")]
    [InlineData("from", "yesterday")]
    [InlineData("to", "soon")]
    public async Task A_bad_parameter_is_a_400_naming_it(string name, string value)
    {
        await using var app = TestApp.Create(azurite, Start);

        var result = Assert.IsType<ContentResult>(await ActivatorUtilities.CreateInstance<PerformanceFunctions>(app.Services).Get(Request(new() { [name] = value }), CancellationToken.None));

        Assert.Equal(StatusCodes.Status400BadRequest, result.StatusCode);
        Assert.Equal("application/problem+json", result.ContentType);
        using var problem = JsonDocument.Parse(result.Content!);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(name, out _), result.Content);
    }

    [Fact]
    public async Task A_span_backwards_is_refused()
    {
        await using var app = TestApp.Create(azurite, Start);

        var result = Assert.IsType<ContentResult>(await ActivatorUtilities.CreateInstance<PerformanceFunctions>(app.Services).Get(Request(new() { ["from"] = "2026-03-02T00:00:00Z", ["to"] = "2026-03-01T00:00:00Z" }), CancellationToken.None));

        Assert.Equal(400, result.StatusCode);
        Assert.Contains("'from' is after 'to'", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_names_are_escaped_for_the_partition_key()
    {
        Assert.Equal("m~openai!2Fgpt-4o-mini", TableOutcomeStore.ModelPartition("openai/gpt-4o-mini"));
        Assert.Equal("m~a!21b!23c!3Fd!5Ce", TableOutcomeStore.ModelPartition("a!b#c?d\\e"));
    }

    private static TradeOutcome Trade(string id, string symbol, string model, decimal confidence, decimal pnl, DateTimeOffset resolvedAt, PositionSide side, ExitReason? reason) =>
        new(id, symbol, TradingStrategy.Scalping, model, confidence, pnl > 0m ? OutcomeResult.Win : OutcomeResult.Loss, side,
            resolvedAt.AddMinutes(-3), resolvedAt, pnl, pnl, 0.1m, TimeSpan.FromMinutes(2), reason, 0.1m, 0.05m, null, null, 1);

    private static HttpRequest Request(Dictionary<string, StringValues> query)
    {
        var context = new DefaultHttpContext();
        context.Request.Query = new QueryCollection(query);
        return context.Request;
    }

    private static async Task<JsonElement> JsonAsync(PerformanceFunctions functions, Dictionary<string, StringValues> query)
    {
        var result = Assert.IsType<ContentResult>(await functions.Get(Request(query), CancellationToken.None));
        Assert.True(result.StatusCode == 200, result.Content);
        return JsonDocument.Parse(result.Content!).RootElement.Clone();
    }
}
