using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// A decision as table properties, and back. Long text (reasoning, analysis, raw model answer, tool calls) is
/// split over numbered properties (<c>Reasoning</c>, <c>Reasoning_1</c>, …) of at most
/// <see cref="MaxCharsPerProperty"/> characters, because Azure keeps at most 64 KiB (32K UTF-16 chars) in one
/// property. Nothing is cut: a decision too large for one entity (1 MiB) is refused with an error.
/// </summary>
internal static class DecisionEntities
{
    public const int MaxCharsPerProperty = 30_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static TableEntity ToEntity(TradingDecision d, string partitionKey, string rowKey)
    {
        var e = new TableEntity(partitionKey, rowKey)
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
            ["SetupStrength"] = Text(d.SetupStrength),
            ["ModelUsed"] = d.ModelUsed,
            ["TokensUsed"] = d.TokensUsed,
            ["CreatedAt"] = d.CreatedAt,
            ["Source"] = d.Source.ToString().ToLowerInvariant(),
            ["MarketPrice"] = Text(d.MarketPrice),
            ["ProposedAction"] = d.ProposedAction,
            ["ExecutedAt"] = d.ExecutedAt,
            ["Outcome"] = d.Outcome?.ToString().ToLowerInvariant(),
            ["Pnl"] = Text(d.Pnl),
            ["OrderType"] = d.OrderType.ToString().ToLowerInvariant(),
            ["Provider"] = d.Trace?.Provider,
            ["PromptHash"] = d.Trace?.PromptHash,
            ["InputTokens"] = d.Trace?.InputTokens,
            ["OutputTokens"] = d.Trace?.OutputTokens,
            ["CostUsd"] = Text(d.Trace?.CostUsd),
            ["LatencyMs"] = d.Trace?.LatencyMs,
            ["Rounds"] = d.Trace?.Rounds,
            ["LlmStatus"] = d.Trace?.Status,
            ["Features"] = d.Features is null ? null : JsonSerializer.Serialize(d.Features, Json),
        };
        PutLong(e, "Reasoning", d.Reasoning);
        PutLong(e, "MarketAnalysis", d.MarketAnalysis);
        PutLong(e, "RiskAssessment", d.RiskAssessment);
        PutLong(e, "HoldReason", d.HoldReason);
        PutLong(e, "Invalidation", d.Invalidation);
        PutLong(e, "ToolCalls", d.Trace is { ToolCalls.Count: > 0 } t ? JsonSerializer.Serialize(t.ToolCalls, Json) : null);
        PutLong(e, "RawText", d.Trace?.RawText);
        PutLong(e, "ReviewJson", d.Review is null ? null : JsonSerializer.Serialize(d.Review, Json));
        if (TableBatch.EntityBytes(e) > TableBatch.MaxEntityBytes)
        {
            throw new ArgumentException(
                $"decision {d.Id} is about {TableBatch.EntityBytes(e)} bytes with its text; a journal entity holds at most {TableBatch.MaxEntityBytes}. "
                + "Bound the text before journaling (it is never cut here).");
        }

        return e;
    }

    public static TradingDecision FromEntity(TableEntity e) => new(
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
        GetLong(e, "Reasoning") ?? string.Empty,
        GetLong(e, "MarketAnalysis") ?? string.Empty,
        GetLong(e, "RiskAssessment") ?? string.Empty,
        String(e, "ModelUsed"),
        e.GetInt32("TokensUsed") ?? 0,
        Time(e, "CreatedAt"),
        Enum<DecisionSource>(e, "Source"),
        Decimal(e, "MarketPrice"),
        GetLong(e, "HoldReason"),
        e.GetDateTimeOffset("ExecutedAt"),
        OptionalEnum<DecisionOutcome>(e, "Outcome"),
        OptionalDecimal(e, "Pnl"),
        e.GetString("ProposedAction"))
    {
        OrderType = OptionalEnum<OrderType>(e, "OrderType") ?? OrderType.Market,
        // Rows written before the column existed have none: no setup strength was recorded.
        SetupStrength = OptionalDecimal(e, "SetupStrength"),
        Invalidation = GetLong(e, "Invalidation"),
        // Rows written before the column existed have none: the market features were not kept.
        Features = e.GetString("Features") is { Length: > 0 } features ? JsonSerializer.Deserialize<NeuraTrade.Core.Markets.MarketFeatures>(features, Json) : null,
        Review = GetLong(e, "ReviewJson") is { } review ? JsonSerializer.Deserialize<RiskReview>(review, Json) : null,
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
                GetLong(e, "ToolCalls") is { } calls ? JsonSerializer.Deserialize<List<ToolCallRecord>>(calls, Json)! : [],
                GetLong(e, "RawText"))
            : null,
    };

    /// <summary>Writes <paramref name="value"/> over <c>name</c>, <c>name_1</c>, … never splitting a surrogate pair.</summary>
    internal static void PutLong(TableEntity e, string name, string? value)
    {
        if (value is null)
        {
            e[name] = null;
            return;
        }

        var part = 0;
        var start = 0;
        do
        {
            var length = Math.Min(MaxCharsPerProperty, value.Length - start);
            if (start + length < value.Length && char.IsHighSurrogate(value[start + length - 1]))
            {
                length--;
            }

            e[part == 0 ? name : $"{name}_{part}"] = value.Substring(start, length);
            start += length;
            part++;
        }
        while (start < value.Length);
    }

    internal static string? GetLong(TableEntity e, string name)
    {
        if (e.GetString(name) is not { } first)
        {
            return null;
        }

        if (!e.ContainsKey($"{name}_1"))
        {
            return first;
        }

        var text = new StringBuilder(first);
        for (var part = 1; e.GetString($"{name}_{part}") is { } next; part++)
        {
            text.Append(next);
        }

        return text.ToString();
    }
}
