using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The trading events as operators read them: each decision, entry, refused entry, exit and scan is one structured event
/// with its stable event id, its fields holding what the API answered, a message that starts with "AI Scalping", and no
/// field or message left at null.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TradingLogTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_decision_its_entry_a_refused_second_entry_a_close_and_a_scan_are_each_one_structured_event()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        var logs = new CapturedLogs();
        await using var app = TestApp.Create(azurite, buyAt, logs: logs);
        var ai = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        var scalping = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);

        var first = await JsonAsync(ai.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT","execute":true}"""), CancellationToken.None));
        var second = await JsonAsync(ai.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT","execute":true}"""), CancellationToken.None));
        var position = Assert.Single(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        await JsonAsync(scalping.ClosePosition(FunctionClassTests.Post(string.Empty), position.Id, CancellationToken.None));
        await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        var events = logs.Entries.Where(e => e.EventId.Id is >= 1001 and <= 1099).ToList();
        Assert.All(events, e =>
        {
            Assert.StartsWith("AI Scalping ", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("(null)", e.Message, StringComparison.Ordinal);
            Assert.All(e.Fields, f => Assert.NotNull(f.Value));
        });

        var decision = Assert.Single(events, e => e.EventId.Id == TradingLog.DecisionId && (string?)e.Field("DecisionId") == first.GetProperty("id").GetString());
        Assert.Equal("Decision", decision.EventId.Name);
        Assert.Equal("BTC/USDT", decision.Field("Symbol"));
        Assert.Equal("Scalping", decision.Field("Strategy"));
        Assert.Equal("Buy", decision.Field("Action"));
        Assert.Equal(first.GetProperty("confidence").GetDecimal(), decision.Field("Confidence"));
        Assert.Equal(first.GetProperty("model_used").GetString(), decision.Field("Model"));
        Assert.Equal(first.GetProperty("tokens_used").GetInt32(), decision.Field("Tokens"));
        Assert.Equal("none", decision.Field("CostUsd")); // the rules brain makes no LLM call
        Assert.Equal(0L, decision.Field("LatencyMs"));
        Assert.Equal(first.GetProperty("reasoning").GetString(), decision.Field("Reason"));

        var opened = Assert.Single(events, e => e.EventId.Id == TradingLog.PositionOpenedId && (string?)e.Field("PositionId") == position.Id);
        Assert.Equal(first.GetProperty("id").GetString(), opened.Field("DecisionId"));
        Assert.Equal(position.EntryPrice, opened.Field("Price"));

        // The second BUY on a held symbol: decided (its own event), then refused by the risk gate with the journal's reason.
        Assert.Single(events, e => e.EventId.Id == TradingLog.DecisionId && (string?)e.Field("DecisionId") == second.GetProperty("id").GetString());
        var refused = Assert.Single(events, e => e.EventId.Id == TradingLog.EntryRefusedId && (string?)e.Field("DecisionId") == second.GetProperty("id").GetString());
        Assert.Equal(second.GetProperty("hold_reason").GetString(), refused.Field("Reason"));

        var closed = Assert.Single(events, e => e.EventId.Id == TradingLog.PositionClosedId && (string?)e.Field("PositionId") == position.Id);
        Assert.Equal("Manual", closed.Field("ExitReason"));

        Assert.Single(events, e => e.EventId.Id is TradingLog.ScanFinishedId or TradingLog.ScanSkippedId);
    }

    private static async Task<JsonElement> JsonAsync(Task<IActionResult> call)
    {
        var result = Assert.IsType<ContentResult>(await call);
        Assert.Equal(200, result.StatusCode ?? 200);
        return JsonDocument.Parse(result.Content!).RootElement.Clone();
    }
}
