using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The decision journal. Partition: the symbol (BASE-QUOTE), so writes spread over symbols and "latest N
/// for a symbol" is one partition read. Row: newest-first ticks then the id, so that read needs no sort.
/// </summary>
public sealed class TableDecisionStore(TableStore tables) : IDecisionStore
{
    public async Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        await table.UpsertEntityAsync(ToEntity(decision), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        var partition = SymbolKey(symbol);
        var result = new List<TradingDecision>(Math.Min(limit, 1000));
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            result.Add(FromEntity(entity));
            if (result.Count == limit)
            {
                break;
            }
        }

        return result;
    }

    public async Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        var entity = new TableEntity(SymbolKey(decision.Symbol), RowKey(decision.CreatedAt, decision.Id))
        {
            ["Outcome"] = outcome.ToString().ToLowerInvariant(),
            ["Pnl"] = Text(pnl),
        };
        await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    internal static string RowKey(DateTimeOffset createdAt, string id) => $"{NewestFirst(createdAt)}-{id}";

    internal static TableEntity ToEntity(TradingDecision d) => new(SymbolKey(d.Symbol), RowKey(d.CreatedAt, d.Id))
    {
        ["Id"] = d.Id,
        ["Symbol"] = d.Symbol,
        ["Strategy"] = d.Strategy.ToString().ToLowerInvariant(),
        ["Action"] = d.Action.ToString().ToLowerInvariant(),
        ["Side"] = d.Side?.ToString().ToLowerInvariant(),
        ["SizePercent"] = Text(d.SizePercent),
        ["EntryPrice"] = Text(d.EntryPrice),
        ["StopLoss"] = Text(d.StopLoss),
        ["TakeProfit"] = Text(d.TakeProfit),
        ["Confidence"] = Text(d.Confidence),
        ["Reasoning"] = d.Reasoning,
        ["MarketAnalysis"] = d.MarketAnalysis,
        ["RiskAssessment"] = d.RiskAssessment,
        ["ModelUsed"] = d.ModelUsed,
        ["TokensUsed"] = d.TokensUsed,
        ["CreatedAt"] = d.CreatedAt,
        ["Source"] = d.Source.ToString().ToLowerInvariant(),
        ["MarketPrice"] = Text(d.MarketPrice),
        ["HoldReason"] = d.HoldReason,
        ["ProposedAction"] = d.ProposedAction,
        ["ExecutedAt"] = d.ExecutedAt,
        ["Outcome"] = d.Outcome?.ToString().ToLowerInvariant(),
        ["Pnl"] = Text(d.Pnl),
        ["OrderType"] = d.OrderType.ToString().ToLowerInvariant(),
        ["Invalidation"] = d.Invalidation,
        ["Provider"] = d.Trace?.Provider,
        ["PromptHash"] = d.Trace?.PromptHash,
        ["InputTokens"] = d.Trace?.InputTokens,
        ["OutputTokens"] = d.Trace?.OutputTokens,
        ["CostUsd"] = Text(d.Trace?.CostUsd),
        ["LatencyMs"] = d.Trace?.LatencyMs,
        ["Rounds"] = d.Trace?.Rounds,
        ["LlmStatus"] = d.Trace?.Status,
        ["ToolCalls"] = d.Trace is { ToolCalls.Count: > 0 } t ? JsonSerializer.Serialize(t.ToolCalls, Json) : null,
        ["RawText"] = d.Trace?.RawText,
    };

    internal static TradingDecision FromEntity(TableEntity e) => new(
        String(e, "Id"),
        String(e, "Symbol"),
        Enum<TradingStrategy>(e, "Strategy"),
        Enum<TradeAction>(e, "Action"),
        OptionalEnum<OrderSide>(e, "Side"),
        Decimal(e, "SizePercent"),
        OptionalDecimal(e, "EntryPrice"),
        OptionalDecimal(e, "StopLoss"),
        OptionalDecimal(e, "TakeProfit"),
        Decimal(e, "Confidence"),
        e.GetString("Reasoning") ?? string.Empty,
        e.GetString("MarketAnalysis") ?? string.Empty,
        e.GetString("RiskAssessment") ?? string.Empty,
        String(e, "ModelUsed"),
        e.GetInt32("TokensUsed") ?? 0,
        Time(e, "CreatedAt"),
        Enum<DecisionSource>(e, "Source"),
        Decimal(e, "MarketPrice"),
        e.GetString("HoldReason"),
        e.GetDateTimeOffset("ExecutedAt"),
        OptionalEnum<DecisionOutcome>(e, "Outcome"),
        OptionalDecimal(e, "Pnl"),
        e.GetString("ProposedAction"))
    {
        OrderType = OptionalEnum<OrderType>(e, "OrderType") ?? OrderType.Market,
        Invalidation = e.GetString("Invalidation"),
        Trace = e.GetString("Provider") is { } provider
            ? new LlmTrace(
                provider,
                String(e, "ModelUsed"),
                e.GetString("PromptHash") ?? string.Empty,
                e.GetInt64("InputTokens") ?? 0,
                e.GetInt64("OutputTokens") ?? 0,
                OptionalDecimal(e, "CostUsd"),
                e.GetInt64("LatencyMs") ?? 0,
                e.GetInt32("Rounds") ?? 0,
                e.GetString("LlmStatus") ?? string.Empty,
                e.GetString("ToolCalls") is { } calls ? JsonSerializer.Deserialize<List<ToolCallRecord>>(calls, Json)! : [],
                e.GetString("RawText"))
            : null,
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
