using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Tools;

namespace NeuraTrade.Llm.Tests;

/// <summary>The money side: the daily budget is checked before each call, and one decision cannot burn unbounded tokens.</summary>
public sealed class BudgetTests
{
    [Fact]
    public async Task An_exhausted_daily_budget_holds_without_calling_the_model()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var ledger = new MemoryLedger();
        await ledger.RecordAsync(new LlmUsageRecord("x", time.GetUtcNow().AddHours(-1), "openai", "gpt-4o", "decision", "BTC/USDT", 1_000_000, 100_000, 3.5m, 900, 1, "ok"), CancellationToken.None);
        var chat = new ScriptedChatClient(_ => ScriptedChatClient.Text(TestKit.ValidBuyJson(TestKit.Market())));
        var options = new BrainOptions { Provider = "openai", Model = "gpt-4o", DailyBudgetUsd = 3.5m };
        var brain = new LlmBrain(chat, new ToolRegistry(false), new LlmEndpoint("openai", "gpt-4o", true), ledger, Options.Create(options), time, NullLogger<LlmBrain>.Instance);

        var proposal = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.Equal(0, chat.Calls);
        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Contains("daily LLM budget spent", proposal.FailureReason, StringComparison.Ordinal);
        Assert.Equal("budget", proposal.Trace!.Status);

        // The next UTC day has a fresh budget.
        time.Advance(TimeSpan.FromHours(12));
        var tomorrow = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);
        Assert.Equal(1, chat.Calls);
        Assert.Equal(TradeAction.Buy, tomorrow.Action);
    }

    [Fact]
    public async Task A_tool_loop_that_never_ends_is_stopped_by_the_token_budget()
    {
        var rounds = 0;
        var chat = new ScriptedChatClient(_ =>
        {
            rounds++;
            var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{rounds}", "get_market_data", new Dictionary<string, object?> { ["symbol"] = "BTC/USDT" })]);
            return new ChatResponse(call) { FinishReason = ChatFinishReason.ToolCalls, Usage = new UsageDetails { InputTokenCount = 3_000, OutputTokenCount = 100 } };
        });
        var options = new BrainOptions { Provider = "openai", Model = "gpt-4o-mini", TokenBudgetPerDecision = 6_000, MaxToolIterations = 20, DailyBudgetUsd = 0m };
        var pipeline = LlmComposition.BuildPipeline(chat, options, TimeProvider.System);
        var ledger = new MemoryLedger();
        var brain = new LlmBrain(pipeline, TestKit.MarketTool(), new LlmEndpoint("openai", "gpt-4o-mini", true), ledger, Options.Create(options), TimeProvider.System, NullLogger<LlmBrain>.Instance);

        var proposal = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.Equal(2, rounds);
        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Equal("token_budget", proposal.Trace!.Status);
        Assert.Equal(6_200, proposal.Trace.TotalTokens);
        Assert.Equal(6_200, ledger.Records.Single().InputTokens + ledger.Records.Single().OutputTokens);
        Assert.Equal(2, proposal.Trace.ToolCalls.Count);
    }

    [Fact]
    public async Task The_tool_loop_is_capped_by_max_iterations()
    {
        var rounds = 0;
        var chat = new ScriptedChatClient(messages =>
        {
            rounds++;
            var call = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"c{rounds}", "get_market_data", new Dictionary<string, object?> { ["symbol"] = "BTC/USDT" })]);
            return new ChatResponse(call) { FinishReason = ChatFinishReason.ToolCalls, Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 } };
        });
        var options = new BrainOptions { Provider = "openai", Model = "gpt-4o-mini", MaxToolIterations = 3, DailyBudgetUsd = 0m };
        var brain = new LlmBrain(LlmComposition.BuildPipeline(chat, options, TimeProvider.System), TestKit.MarketTool(), new LlmEndpoint("openai", "gpt-4o-mini", true), new MemoryLedger(), Options.Create(options), TimeProvider.System, NullLogger<LlmBrain>.Instance);

        var proposal = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.InRange(rounds, 3, 4);
        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.NotNull(proposal.FailureReason);
    }

    [Fact]
    public async Task A_failing_tool_is_returned_to_the_model_as_a_result()
    {
        var seen = new List<string>();
        var chat = new ScriptedChatClient(messages =>
        {
            if (messages.Last().Role == ChatRole.Tool)
            {
                seen.Add(string.Join(" ", messages.Last().Contents.OfType<FunctionResultContent>().Select(r => r.Result?.ToString())));
                return ScriptedChatClient.Text(TestKit.ValidBuyJson(TestKit.Market()));
            }

            return new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", "get_market_data", new Dictionary<string, object?> { ["symbol"] = "BTC/USDT" })]))
            {
                FinishReason = ChatFinishReason.ToolCalls,
            };
        });
        var registry = new ToolRegistry(false);
        registry.Register(new TradingTool("get_market_data", TradingToolKind.MarketData, AIFunctionFactory.Create((string symbol) => ThrowingTool(symbol), "get_market_data")));
        var options = new BrainOptions { Provider = "openai", Model = "gpt-4o-mini", DailyBudgetUsd = 0m };
        var brain = new LlmBrain(LlmComposition.BuildPipeline(chat, options, TimeProvider.System), registry, new LlmEndpoint("openai", "gpt-4o-mini", true), new MemoryLedger(), Options.Create(options), TimeProvider.System, NullLogger<LlmBrain>.Instance);

        var proposal = await brain.ProposeAsync(TestKit.Request(), CancellationToken.None);

        Assert.Equal(TradeAction.Buy, proposal.Action);
        Assert.Single(seen);
        Assert.Contains("Error", seen[0], StringComparison.OrdinalIgnoreCase);
        Assert.True(Assert.Single(proposal.Trace!.ToolCalls).Failed);
    }

    [Fact]
    public void Execution_tools_are_offered_only_when_enabled_and_never_to_scans_or_analysis()
    {
        static ToolRegistry Registry(bool execution)
        {
            var r = new ToolRegistry(execution);
            r.Register(new TradingTool("get_candles", TradingToolKind.MarketData, AIFunctionFactory.Create(() => 1, "get_candles")));
            r.Register(new TradingTool("get_portfolio", TradingToolKind.Portfolio, AIFunctionFactory.Create(() => 1, "get_portfolio")));
            r.Register(new TradingTool("place_order", TradingToolKind.Execution, AIFunctionFactory.Create(() => 1, "place_order")));
            return r;
        }

        Assert.Equal(["get_candles", "get_portfolio"], Registry(false).GetToolsForStrategy(TradingStrategy.Scalping, DecisionSource.Api).Select(t => t.Name));
        Assert.Equal(["get_candles", "get_portfolio", "place_order"], Registry(true).GetToolsForStrategy(TradingStrategy.Scalping, DecisionSource.Api).Select(t => t.Name));
        Assert.Equal(["get_candles", "get_portfolio"], Registry(true).GetToolsForStrategy(TradingStrategy.Scalping, DecisionSource.Scan).Select(t => t.Name));
        Assert.Equal(["get_candles"], Registry(true).GetToolsForStrategy(TradingStrategy.Analysis, DecisionSource.Api).Select(t => t.Name));
        Assert.NotNull(Registry(true).Get("place_order"));
        Assert.Throws<InvalidOperationException>(() => Registry(false).Register(new TradingTool("get_candles", TradingToolKind.MarketData, AIFunctionFactory.Create(() => 2, "get_candles"))));
    }

    private static object ThrowingTool(string symbol) => throw new InvalidOperationException($"exchange down for {symbol}");
}
