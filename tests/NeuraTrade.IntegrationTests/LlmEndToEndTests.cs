using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions;
using NeuraTrade.TestSupport;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The whole app with <c>AI:Provider=openai</c> against a loopback server speaking chat completions: the
/// decision endpoint and the scan use the LLM (with a tool call), journal its trace, bill the ledger on Azurite,
/// and the status shows the day's tokens and cost.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LlmEndToEndTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly ConcurrentQueue<JsonNode> _requests = new();
    private LoopbackChatServer _llm = null!;
    private string _endpoint = string.Empty;

    public async Task InitializeAsync()
    {
        // The first round asks for get_portfolio; after the tool result (or without tools) the model holds.
        _llm = await LoopbackChatServer.StartAsync(
            body =>
            {
                _requests.Enqueue(body);
                var afterTool = body["messages"]!.AsArray().Any(m => m!["role"]!.GetValue<string>() == "tool");
                return afterTool || body["tools"] is null
                    ? (new JsonObject { ["role"] = "assistant", ["content"] = Hold() }, "stop")
                    : (new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = null,
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["id"] = "call_1",
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = "get_portfolio", ["arguments"] = "{}" },
                        }),
                    }, "tool_calls");
            },
            promptTokens: 1000,
            completionTokens: 100);
        _endpoint = _llm.Endpoint;
    }

    public async Task DisposeAsync() => await _llm.DisposeAsync();

    /// <summary>The app on Azurite with the loopback model as its OpenAI endpoint, scanning BTC/USDT.</summary>
    private TestApp App(bool screen) => TestApp.Create(azurite, Start, new Dictionary<string, string?>
    {
        ["AI:Provider"] = "openai",
        ["AI:Model"] = "gpt-4o-mini",
        ["AI:ApiKey"] = "sk-test-not-a-real-key",
        ["AI:Endpoint"] = _endpoint,
        ["AI:RetryBaseDelayMs"] = "1",
        ["Scalping:Symbols"] = "BTC/USDT",
        ["Scalping:Screen"] = screen ? "true" : "false",
    });

    [Fact]
    public async Task On_a_quiet_market_the_economy_screen_keeps_the_scan_from_calling_the_model_and_the_status_counts_it()
    {
        await using var app = App(screen: true);

        // The replay's BTC/USDT at this minute moves about 0.03% per candle (ATR14), far short of the 0.26% a round trip
        // with the default costs needs (2 x 0.1% fees + 2 x 0.02% slippage + 0.02% edge, plus the spread).
        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.Empty(_requests);
        Assert.Equal((0, 1), (report.Asked, report.Screened));
        var held = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        Assert.Equal((TradeAction.Hold, DecisionMaker.PreFilterModel, 0), (held.Action, held.ModelUsed, held.TokensUsed));
        Assert.StartsWith("pre-filter: screen: a 1.5σ move over the hold", held.HoldReason, StringComparison.Ordinal);
        Assert.Contains("no target could pay", held.HoldReason, StringComparison.Ordinal);

        // Read back from the state row on Azurite: the day's counts, and no call billed.
        var status = await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None);
        Assert.Equal(new ScreenToday(true, 1.5m, 0, 1), status.Screen);
        Assert.Equal(100m, status.Screen!.SavedPercent);
        Assert.Equal(0, status.Llm.Calls);

        // An HTTP decision is a user's explicit question: it always asks the model (a tool round, then the answer).
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        Assert.IsType<ContentResult>(await functions.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT"}"""), CancellationToken.None));
        Assert.Equal(2, _requests.Count);
    }

    [Fact]
    public async Task Decision_and_scan_use_the_llm_journal_its_trace_and_bill_the_day()
    {
        // The scan must reach the model here; the economy screen's own test is above.
        await using var app = App(screen: false);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var result = Assert.IsType<ContentResult>(await functions.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT"}"""), CancellationToken.None));
        var json = JsonDocument.Parse(result.Content!).RootElement;
        await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.Equal(200, result.StatusCode ?? 200);
        Assert.Equal("gpt-4o-mini", json.GetProperty("model_used").GetString());
        Assert.Equal(2200, json.GetProperty("tokens_used").GetInt32());
        var llm = json.GetProperty("llm");
        Assert.Equal("openai", llm.GetProperty("provider").GetString());
        Assert.Equal(2, llm.GetProperty("rounds").GetInt32());
        Assert.Equal("get_portfolio", llm.GetProperty("tool_calls")[0].GetProperty("name").GetString());
        Assert.Equal((2000 * 0.15m + 200 * 0.60m) / 1_000_000m, llm.GetProperty("cost_usd").GetDecimal());

        // The request order the model saw: system, user, the assistant's tool call, then the tool result.
        var second = _requests.Skip(1).First()["messages"]!.AsArray().Select(m => m!["role"]!.GetValue<string>());
        Assert.Equal(["system", "user", "assistant", "tool"], second);

        var journaled = await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None);
        Assert.Equal(2, journaled.Count);
        Assert.All(journaled, d => Assert.Equal("ok", d.Trace!.Status));
        Assert.All(journaled, d => Assert.Contains("\"action\"", d.Trace!.RawText, StringComparison.Ordinal));
        Assert.Contains(journaled, d => d.Source == DecisionSource.Scan);

        var usage = await app.Get<ILlmUsageLedger>().GetDailyUsageAsync(DateOnly.FromDateTime(Start.UtcDateTime), CancellationToken.None);
        Assert.Equal(2, usage.Calls);
        Assert.Equal(4000, usage.InputTokens);
        Assert.Equal(0.00084m, usage.CostUsd);
        var status = await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None);
        Assert.Equal(0.00084m, status.Llm.CostUsd);
        Assert.Equal("gpt-4o-mini", status.Brain);
    }

    private static string Hold() => new JsonObject
    {
        ["symbol"] = "BTC/USDT",
        ["action"] = "hold",
        ["side"] = null,
        ["size_percent"] = 0,
        ["entry_price"] = null,
        ["stop_loss"] = null,
        ["take_profit"] = null,
        ["order_type"] = "market",
        ["confidence"] = 0.4,
        ["reasoning"] = "No edge after costs.",
        ["market_analysis"] = "sideways",
        ["risk_assessment"] = "flat",
        ["invalidation"] = "n/a",
    }.ToJsonString();
}
