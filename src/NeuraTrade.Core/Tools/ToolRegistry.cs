using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Core.Tools;

public enum TradingToolKind
{
    MarketData,
    Portfolio,
    Execution,

    /// <summary>Reads the arbitrage venues (books, inventory, the pairs' net edges): offered to <c>arbitrage</c> only.</summary>
    Arbitrage,
}

/// <summary>A tool the model may call: its kind decides which strategies get it.</summary>
public sealed record TradingTool(string Name, TradingToolKind Kind, AIFunction Function);

/// <summary>
/// The tools the model can call, by name and by strategy. Market data, portfolio and execution tools read and trade the
/// scalper's single exchange and account: <c>scalping</c> gets them all, <c>analysis</c> market data only, and execution
/// tools are offered only when <c>AI:ExecutionTools</c> is on and never during scans (the engine executes scan decisions
/// itself). <c>arbitrage</c> gets only the arbitrage tools, which read every venue: the single exchange is not one of its
/// venues (its book and balances would be another market's, and a <c>place_order</c> there would open the one-venue
/// scalping long an arbitrage must never become).
/// Every call is recorded in the current <see cref="LlmCallScope"/>.
/// </summary>
public sealed class ToolRegistry(bool executionToolsEnabled) : IToolCatalog
{
    private readonly Dictionary<string, TradingTool> _tools = new(StringComparer.Ordinal);

    public IReadOnlyCollection<TradingTool> All => _tools.Values;

    public void Register(TradingTool tool)
    {
        if (!_tools.TryAdd(tool.Name, tool with { Function = new RecordedFunction(tool.Function) }))
        {
            throw new InvalidOperationException($"a tool named {tool.Name} is already registered");
        }
    }

    public TradingTool? Get(string name) => _tools.GetValueOrDefault(name);

    public IReadOnlyList<AIFunction> GetToolsForStrategy(TradingStrategy strategy, DecisionSource source = DecisionSource.Api) =>
        _tools.Values
            .Where(t => t.Kind switch
            {
                TradingToolKind.MarketData => strategy != TradingStrategy.Arbitrage,
                TradingToolKind.Portfolio => strategy == TradingStrategy.Scalping,
                TradingToolKind.Execution => executionToolsEnabled && source == DecisionSource.Api && strategy == TradingStrategy.Scalping,
                TradingToolKind.Arbitrage => strategy == TradingStrategy.Arbitrage,
                _ => false,
            })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => t.Function)
            .ToList();

    /// <summary>Records each invocation (name, arguments, result or error, duration) in the current call scope.</summary>
    private sealed class RecordedFunction(AIFunction inner) : DelegatingAIFunction(inner)
    {
        private const int MaxRecorded = 1000;

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var args = Clip(JsonSerializer.Serialize(arguments.ToDictionary(kv => kv.Key, kv => kv.Value)));
            try
            {
                var result = await base.InvokeCoreAsync(arguments, cancellationToken);
                var text = result is JsonElement e ? e.GetRawText() : JsonSerializer.Serialize(result);
                var failed = result is JsonElement { ValueKind: JsonValueKind.Object } o && o.TryGetProperty("error", out _);
                LlmCallScope.Current?.ToolCalls.Enqueue(new ToolCallRecord(Name, args, Clip(text), failed, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                return result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LlmCallScope.Current?.ToolCalls.Enqueue(new ToolCallRecord(Name, args, Clip(ex.Message), true, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds));
                throw;
            }
        }

        private static string Clip(string text) => text.Length <= MaxRecorded ? text : text[..MaxRecorded] + "…";
    }
}
