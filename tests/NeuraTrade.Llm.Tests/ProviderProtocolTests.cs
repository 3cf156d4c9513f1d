using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Llm.Tests;

/// <summary>
/// Each provider's real SDK client against a loopback server speaking its protocol: happy path, tool-call
/// round trip (exact message order), 429 then success, 500 until the breaker opens, what a 503 outage logs, and a timeout.
/// </summary>
public sealed class ProviderProtocolTests
{
    public static TheoryData<string> Providers => new(TestKit.Providers);

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Happy_path_returns_a_valid_decision_with_tokens_and_cost(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        var market = TestKit.Market();
        server.Reply(Replies.Text(provider, TestKit.ValidBuyJson(market)));
        var ledger = new MemoryLedger();
        var options = TestKit.Options(provider, server);
        var brain = TestKit.Brain(options, ledger);

        var proposal = await brain.ProposeAsync(TestKit.Request(market), CancellationToken.None);
        var decision = new DecisionValidator(Options.Create(options)).Validate(proposal, market, TradingStrategy.Scalping, DecisionSource.Api, "d1", DateTimeOffset.UnixEpoch);

        Assert.Equal(TradeAction.Buy, decision.Action);
        Assert.Null(decision.HoldReason);
        Assert.Equal(160, decision.TokensUsed);
        Assert.Equal(provider, decision.Trace!.Provider);
        Assert.Equal("ok", decision.Trace.Status);
        var record = Assert.Single(ledger.Records);
        Assert.Equal(120, record.InputTokens);
        Assert.Equal(40, record.OutputTokens);
        Assert.Equal(options.Prices[options.Model!].Cost(120, 40), record.CostUsd);

        var request = Assert.Single(server.Requests);
        AssertAuthenticated(provider, request);
        Assert.Equal(ExpectedPath(provider), request.Path);
        if (provider == LlmProviders.AzureOpenAI)
        {
            Assert.Contains("api-version=", request.Query, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Tool_call_round_trip_sends_the_assistant_call_before_the_tool_result(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        var market = TestKit.Market();
        server.Reply(Replies.ToolCall(provider, "get_market_data", """{"symbol":"BTC/USDT"}"""), Replies.Text(provider, TestKit.ValidBuyJson(market)));
        var asked = new List<string>();
        var brain = TestKit.Brain(TestKit.Options(provider, server), new MemoryLedger(), TestKit.MarketTool(asked.Add));

        var proposal = await brain.ProposeAsync(TestKit.Request(market), CancellationToken.None);

        Assert.Equal(TradeAction.Buy, proposal.Action);
        Assert.Equal(["BTC/USDT"], asked);
        var tool = Assert.Single(proposal.Trace!.ToolCalls);
        Assert.Equal("get_market_data", tool.Name);
        Assert.False(tool.Failed);
        Assert.Equal(2, proposal.Trace.Rounds);
        Assert.Equal(2, server.Requests.Count);
        var first = server.Requests.First().Body!;
        Assert.NotNull(ToolsOf(provider, first));

        var second = server.Requests.Last().Body!["messages"]!.AsArray();
        if (provider == LlmProviders.Anthropic)
        {
            // system is separate; then user, assistant tool_use, user tool_result.
            Assert.Equal(["user", "assistant", "user"], second.Select(m => m!["role"]!.GetValue<string>()));
            Assert.Equal("tool_use", second[1]!["content"]![0]!["type"]!.GetValue<string>());
            var result = second[2]!["content"]![0]!;
            Assert.Equal("tool_result", result["type"]!.GetValue<string>());
            Assert.Equal("toolu_1", result["tool_use_id"]!.GetValue<string>());
            AssertJsonObjectText(ToolResultText(result));
        }
        else
        {
            Assert.Equal(["system", "user", "assistant", "tool"], second.Select(m => m!["role"]!.GetValue<string>()));
            Assert.Equal("call_1", second[2]!["tool_calls"]![0]!["id"]!.GetValue<string>());
            Assert.Equal("call_1", second[3]!["tool_call_id"]!.GetValue<string>());
            AssertJsonObjectText(second[3]!["content"] is JsonValue v ? v.GetValue<string>() : second[3]!["content"]![0]!["text"]!.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Rate_limited_then_success_is_retried_once(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        var market = TestKit.Market();
        server.Reply(Replies.Error(429, new Dictionary<string, string> { ["Retry-After"] = "0" }), Replies.Text(provider, TestKit.ValidBuyJson(market)));
        var ledger = new MemoryLedger();
        var brain = TestKit.Brain(TestKit.Options(provider, server), ledger);

        var proposal = await brain.ProposeAsync(TestKit.Request(market), CancellationToken.None);

        Assert.Equal(TradeAction.Buy, proposal.Action);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("ok", Assert.Single(ledger.Records).Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Server_errors_until_the_breaker_opens_then_holds_without_calling(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Fallback = Replies.Error(500);
        var options = TestKit.Options(provider, server);
        options.MaxRetries = 1;
        var brain = TestKit.Brain(options, new MemoryLedger());

        var first = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);
        var second = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);
        var sent = server.Requests.Count;
        var third = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.Equal(4, sent);
        Assert.Equal(sent, server.Requests.Count);
        Assert.All([first, second, third], p => Assert.Equal(TradeAction.Hold, p.Action));
        Assert.Contains("server_error", first.FailureReason, StringComparison.Ordinal);
        Assert.Contains("circuit_open", third.FailureReason, StringComparison.Ordinal);
        Assert.Equal("circuit_open", third.Trace!.Status);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task An_llm_that_is_down_logs_one_warning_line_per_call_with_the_retries_and_the_breaker_and_the_stack_at_debug(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Fallback = Replies.Error(503);
        var options = TestKit.Options(provider, server);
        options.MaxRetries = 1;
        var logger = new CapturingLogger<LlmBrain>();
        var brain = TestKit.Brain(options, new MemoryLedger(), logger: logger);

        for (var i = 0; i < 3; i++)
        {
            await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);
        }

        // Two attempts each for the first two calls; the fourth failure opens the breaker, so the third call is refused.
        Assert.Equal(4, server.Requests.Count);
        var model = options.Model;
        var warnings = logger.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(3, logger.Entries.Count(e => e.Level >= LogLevel.Warning));
        Assert.All(logger.Entries.Where(e => e.Level >= LogLevel.Warning), e => Assert.Null(e.Exception));
        Assert.StartsWith($"LLM {provider} {model} unavailable for BTC/USDT after 2 of 2 attempts, circuit breaker closed; holding: server_error: HTTP 503", warnings[0], StringComparison.Ordinal);
        Assert.StartsWith($"LLM {provider} {model} unavailable for BTC/USDT after 2 of 2 attempts, circuit breaker open for 60 s; holding: server_error: HTTP 503", warnings[1], StringComparison.Ordinal);
        Assert.Matches($"^LLM {provider} {model} unavailable for BTC/USDT after 0 of 2 attempts, circuit breaker open for [0-9]+ s; holding: circuit_open: the circuit breaker is open after repeated failures, the last: HTTP 503", warnings[2]);
        Assert.All(warnings, w =>
        {
            Assert.Contains("scripted failure", w, StringComparison.Ordinal);
            Assert.InRange(w.Length, 1, 399);
            Assert.DoesNotContain('\n', w);
        });

        // The stack of each failure is at Debug, not lost.
        var stacks = logger.Entries.Where(e => e.Level == LogLevel.Debug && e.Exception is LlmUnavailableException).ToList();
        Assert.Equal(3, stacks.Count);
        Assert.All(stacks, s => Assert.Contains("   at ", s.Exception!.ToString(), StringComparison.Ordinal));
        Assert.Equal(["server_error", "server_error", "circuit_open"], stacks.Select(s => ((LlmUnavailableException)s.Exception!).Kind));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_slow_model_times_out_into_a_hold(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Fallback = Replies.Text(provider, TestKit.ValidBuyJson(TestKit.Market())) with { Delay = TimeSpan.FromSeconds(10) };
        var options = TestKit.Options(provider, server);
        options.TimeoutSeconds = 1;
        options.MaxRetries = 0;
        var brain = TestKit.Brain(options, new MemoryLedger());

        var proposal = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Equal("timeout", proposal.Trace!.Status);
        Assert.InRange(proposal.Trace.LatencyMs, 900, 5_000);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_truncated_answer_is_a_hold_that_keeps_the_raw_text(string provider)
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Reply(Replies.Text(provider, """{"symbol":"BTC/USDT","action":"buy","size_perc""", "length"));
        var brain = TestKit.Brain(TestKit.Options(provider, server), new MemoryLedger());

        var proposal = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Contains("cut off", proposal.FailureReason, StringComparison.Ordinal);
        Assert.Contains("size_perc", proposal.Trace!.RawText, StringComparison.Ordinal);
    }

    private static void AssertAuthenticated(string provider, ReceivedRequest request)
    {
        switch (provider)
        {
            case LlmProviders.AzureOpenAI:
                Assert.Equal("test-key-123", request.Headers["api-key"]);
                break;
            case LlmProviders.Anthropic:
                Assert.True(
                    request.Headers.GetValueOrDefault("x-api-key") == "test-key-123" || request.Headers.GetValueOrDefault("authorization") == "Bearer test-key-123",
                    "the key is sent neither as x-api-key nor as a bearer token");
                break;
            default:
                Assert.Equal("Bearer test-key-123", request.Headers["authorization"]);
                break;
        }
    }

    private static string ExpectedPath(string provider) => provider switch
    {
        LlmProviders.AzureOpenAI => "/openai/deployments/gpt-4o-mini/chat/completions",
        LlmProviders.Anthropic => "/v1/messages",
        _ => "/v1/chat/completions",
    };

    private static JsonNode? ToolsOf(string provider, JsonNode body) => body["tools"];

    private static string ToolResultText(JsonNode result) =>
        result["content"] is JsonValue v ? v.GetValue<string>() : result["content"]![0]!["text"]!.GetValue<string>();

    /// <summary>The model must receive the tool's object as JSON, not a JSON string serialized a second time.</summary>
    private static void AssertJsonObjectText(string text)
    {
        var parsed = JsonNode.Parse(text);
        Assert.IsType<JsonObject>(parsed);
        Assert.Equal("BTC/USDT", parsed!["symbol"]!.GetValue<string>());
    }
}
