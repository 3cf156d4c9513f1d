using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// Outcomes in the table <c>outcomes</c>, one copy per read the app makes: partition <c>s~{BASE-QUOTE}</c> (by symbol),
/// <c>g~{strategy}</c> (by strategy) and <c>m~{model}</c> (by model, the name escaped: <c>/ \ # ?</c>, control characters
/// and <c>!</c> become <c>!XX</c>, their hex code), all with row key newest-first ticks of the resolution <c>-</c> decision id.
/// A query reads the most selective partition it names (symbol, then model, then strategy; with none, the three
/// strategy partitions, merged), as a row-key range for the time span, and filters the rest. The copies are in
/// different partitions (no transaction spans them): written in that order with idempotent upserts, so a failed save
/// retried rewrites the same keys.
/// </summary>
public sealed class TableOutcomeStore(TableStore tables) : IOutcomeStore
{
    public const string TableName = "outcomes";

    public async Task SaveAsync(TradeOutcome outcome, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var row = RowKey(outcome);
        foreach (var partition in new[] { SymbolPartition(outcome.Symbol), StrategyPartition(outcome.Strategy), ModelPartition(outcome.Model) })
        {
            await table.UpsertEntityAsync(ToEntity(outcome, partition, row), TableUpdateMode.Replace, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<TradeOutcome>> QueryAsync(OutcomeQuery query, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var limit = Math.Clamp(query.Limit, 1, OutcomeQuery.MaxLimit);
        string[] partitions = query.Symbol is { } symbol ? [SymbolPartition(symbol)]
            : query.Model is { } model ? [ModelPartition(model)]
            : query.Strategy is { } strategy ? [StrategyPartition(strategy)]
            : [.. System.Enum.GetValues<TradingStrategy>().Select(StrategyPartition)];
        var reads = partitions.Select(p => ReadAsync(table, p, query, limit, cancellationToken));
        var found = (await Task.WhenAll(reads)).SelectMany(r => r);
        return found.OrderBy(e => e.RowKey, StringComparer.Ordinal).Take(limit).Select(e => FromEntity(e)).ToList();
    }

    internal static string SymbolPartition(string symbol) => $"s~{SymbolKey(symbol)}";

    internal static string StrategyPartition(TradingStrategy strategy) => $"g~{PerformanceStatistics.StrategyName(strategy)}";

    internal static string ModelPartition(string model) => $"m~{Escape(model)}";

    /// <summary>A name made safe for a key: the characters Azure refuses in keys (and the escape character) as <c>!XX</c>.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is '/' or '\\' or '#' or '?' or '!' || char.IsControl(c))
            {
                sb.Append('!').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string RowKey(TradeOutcome o) => $"{NewestFirst(o.ResolvedAt)}-{o.DecisionId}";

    private static async Task<List<TableEntity>> ReadAsync(TableClient table, string partition, OutcomeQuery query, int limit, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        if (query.To is { } to)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey ge {NewestFirst(to)}");
        }

        if (query.From is { } from)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey lt {NewestFirst(from) + "."}");
        }

        var result = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (query.Matches(FromEntity(entity)))
            {
                result.Add(entity);
                if (result.Count >= limit)
                {
                    break;
                }
            }
        }

        return result;
    }

    private static TableEntity ToEntity(TradeOutcome o, string partition, string row)
    {
        var e = new TableEntity(partition, row)
        {
            ["DecisionId"] = o.DecisionId,
            ["Symbol"] = o.Symbol,
            ["Strategy"] = PerformanceStatistics.StrategyName(o.Strategy),
            ["Model"] = o.Model,
            ["Confidence"] = Text(o.Confidence),
            ["Result"] = o.Result.ToString().ToLowerInvariant(),
            ["Side"] = o.Side?.ToString().ToLowerInvariant(),
            ["DecidedAt"] = o.DecidedAt,
            ["ResolvedAt"] = o.ResolvedAt,
            ["Pnl"] = Text(o.Pnl),
            ["PnlPercent"] = Text(o.PnlPercent),
            ["Fees"] = Text(o.Fees),
            ["HoldSeconds"] = Text(o.Hold is { } hold ? (decimal)hold.Ticks / TimeSpan.TicksPerSecond : null),
            ["ExitReason"] = o.ExitReason?.ToString(),
            ["MfePercent"] = Text(o.MfePercent),
            ["MaePercent"] = Text(o.MaePercent),
            ["VolatilityPercent"] = Text(o.Features?.VolatilityPercent),
            ["SpreadPercent"] = Text(o.Features?.SpreadPercent),
            ["TrendPercent"] = Text(o.Features?.TrendPercent),
            ["MomentumPercent"] = Text(o.Features?.MomentumPercent),
            ["Rsi"] = Text(o.Features?.Rsi),
            ["HourOfDay"] = o.Features?.HourOfDay,
            ["Parts"] = o.Parts,
        };
        DecisionEntities.PutLong(e, "Reason", o.Reason);
        return e;
    }

    private static TradeOutcome FromEntity(TableEntity e) => new(
        String(e, "DecisionId"),
        String(e, "Symbol"),
        Enum<TradingStrategy>(e, "Strategy"),
        String(e, "Model"),
        Decimal(e, "Confidence"),
        Enum<OutcomeResult>(e, "Result"),
        OptionalEnum<PositionSide>(e, "Side"),
        Time(e, "DecidedAt"),
        Time(e, "ResolvedAt"),
        Decimal(e, "Pnl"),
        Decimal(e, "PnlPercent"),
        Decimal(e, "Fees"),
        OptionalDecimal(e, "HoldSeconds") is { } seconds ? TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond)) : null,
        OptionalEnum<ExitReason>(e, "ExitReason"),
        OptionalDecimal(e, "MfePercent"),
        OptionalDecimal(e, "MaePercent"),
        e.GetInt32("HourOfDay") is { } hour
            ? new MarketFeatures(OptionalDecimal(e, "VolatilityPercent"), OptionalDecimal(e, "SpreadPercent") ?? 0m, OptionalDecimal(e, "TrendPercent"), OptionalDecimal(e, "MomentumPercent"), OptionalDecimal(e, "Rsi"), hour)
            : null,
        DecisionEntities.GetLong(e, "Reason"),
        e.GetInt32("Parts") ?? 0);
}
