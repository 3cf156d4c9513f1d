using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The LLM bill in table <c>llmusage</c>. Partition: the UTC day (yyyyMMdd). One row per brain request
/// (newest first) and running totals in <see cref="Shards"/> rows <c>~total-N</c> (N from the request id),
/// each written in the same transaction as its request rows under the shard's ETag. The rows and the totals
/// never disagree; the shards let concurrent writers record without queuing on one row; the budget
/// check reads the few shard rows with one range query. A burst (a scan's answers arrive together) is written per day
/// with one read of the day's shards and one transaction holding all its rows and every touched shard's new total,
/// instead of a read and a transaction per record on the endpoint the scan's entries need at that moment.
/// </summary>
public sealed class TableLlmUsageLedger(TableStore tables) : ILlmUsageLedger
{
    public const string TotalRowPrefix = "~total-";
    public const int Shards = 8;
    private const int MaxAttempts = 10;

    public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken) =>
        RecordManyAsync([record], cancellationToken);

    /// <summary>
    /// Per UTC day: one range read of the day's shard totals, then one transaction of the rows and the touched
    /// shards' totals (several when the day's rows and shards exceed Azure's 100 entities or 4 MiB, each with its own
    /// shard updates). A 409/412 (another writer changed a shard) re-reads and retries what of the day is not yet
    /// written, with jittered backoff.
    /// </summary>
    public async Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var table = await tables.GetTableAsync(TableNames.LlmUsage, cancellationToken);
        var recorded = new HashSet<int>(); // positions in records, so a record given twice counts twice as one by one would
        try
        {
            foreach (var day in Enumerable.Range(0, records.Count).GroupBy(i => DateOnly.FromDateTime(records[i].At.UtcDateTime)))
            {
                await RecordDayAsync(table, day.Key, records, [.. day], recorded, cancellationToken);
            }
        }
        catch (Exception ex) when (recorded.Count > 0)
        {
            throw new LlmUsagePartlyRecordedException([.. records.Where((_, i) => !recorded.Contains(i))], ex);
        }
    }

    private static async Task RecordDayAsync(TableClient table, DateOnly date, IReadOnlyList<LlmUsageRecord> records, List<int> ofDay, HashSet<int> recorded, CancellationToken cancellationToken)
    {
        var day = DayKey(date);
        var remaining = ofDay;
        for (var attempt = 1; ; attempt++)
        {
            var shards = await ReadShardsAsync(table, day, cancellationToken);
            try
            {
                while (remaining.Count > 0)
                {
                    var (taken, actions, written) = Transaction(day, date, remaining.Select(i => records[i]), shards);
                    var response = await table.SubmitTransactionAsync(Checked(actions), cancellationToken);
                    recorded.UnionWith(remaining[..taken]);
                    remaining = remaining[taken..];
                    if (remaining.Count > 0 && !Advance(shards, written, actions, response.Value))
                    {
                        shards = await ReadShardsAsync(table, day, cancellationToken);
                    }
                }

                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    /// <summary>The day's shard totals as stored, with their ETags (absent shards are not in the map).</summary>
    private static async Task<Dictionary<string, Shard>> ReadShardsAsync(TableClient table, string day, CancellationToken cancellationToken)
    {
        var shards = new Dictionary<string, Shard>(StringComparer.Ordinal);
        await foreach (var e in QueryTotalsAsync(table, day, cancellationToken))
        {
            shards[e.RowKey] = new Shard(FromTotal(e), e.ETag);
        }

        return shards;
    }

    /// <summary>
    /// The next transaction: as many of <paramref name="records"/>, in order, as fit with their shards' new totals in
    /// Azure's limits (a shard's total row once per transaction; a row key once per transaction).
    /// </summary>
    private static (int Taken, List<TableTransactionAction> Actions, Dictionary<string, LlmDailyUsage> Totals) Transaction(
        string day, DateOnly date, IEnumerable<LlmUsageRecord> records, Dictionary<string, Shard> shards)
    {
        var taken = 0;
        var rows = new List<TableTransactionAction>();
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        var totals = new Dictionary<string, LlmDailyUsage>(StringComparer.Ordinal);
        long bytes = 0;
        foreach (var record in records)
        {
            var row = Row(day, record);
            var shard = ShardRow(record);
            var size = TableBatch.PayloadBytes(row);
            var operations = rows.Count + totals.Count + 1 + (totals.ContainsKey(shard) ? 0 : 1);

            // The shard rows' size is bounded (four short properties); 4 KiB each covers them generously.
            if (taken > 0 && (operations > TableBatch.MaxEntities || rowKeys.Contains(row.RowKey) || bytes + size + ((totals.Count + 1) * 4096L) > TableBatch.MaxPayloadBytes))
            {
                break;
            }

            var total = totals.GetValueOrDefault(shard) ?? shards.GetValueOrDefault(shard)?.Total ?? LlmDailyUsage.Empty(date);
            totals[shard] = total with
            {
                Calls = total.Calls + 1,
                InputTokens = total.InputTokens + record.InputTokens,
                OutputTokens = total.OutputTokens + record.OutputTokens,
                CostUsd = total.CostUsd + (record.CostUsd ?? 0m),
            };
            taken++;
            rows.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, row));
            rowKeys.Add(row.RowKey);
            bytes += size;
        }

        foreach (var (shard, total) in totals)
        {
            var next = new TableEntity(day, shard)
            {
                ["Calls"] = total.Calls,
                ["InputTokens"] = total.InputTokens,
                ["OutputTokens"] = total.OutputTokens,
                ["CostUsd"] = Text(total.CostUsd),
            };
            rows.Add(shards.TryGetValue(shard, out var current)
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, current.ETag)
                : new TableTransactionAction(TableTransactionActionType.Add, next));
        }

        return (taken, rows, totals);
    }

    /// <summary>The transaction as built, after the checks <see cref="TableBatch.SubmitAsync"/> makes (its response is needed here).</summary>
    private static List<TableTransactionAction> Checked(List<TableTransactionAction> actions)
    {
        foreach (var action in actions)
        {
            TableBatch.CheckEntitySize(action.Entity);
        }

        var split = TableBatch.Split(actions);
        return split.Count == 1 && split[0].Count == actions.Count
            ? actions
            : throw new InvalidOperationException($"an LLM usage transaction of {actions.Count} operations breaks Azure's limits");
    }

    /// <summary>
    /// After a transaction: the shards it wrote hold its totals under the ETags its responses carry, so the next
    /// transaction of the day needs no new read. False when a response carries no ETag: then the shards are read again.
    /// </summary>
    private static bool Advance(Dictionary<string, Shard> shards, Dictionary<string, LlmDailyUsage> totals, List<TableTransactionAction> actions, IReadOnlyList<Response> responses)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var key = actions[i].Entity.RowKey;
            if (totals.TryGetValue(key, out var total))
            {
                if (i >= responses.Count || responses[i].Headers.ETag is not { } etag)
                {
                    return false;
                }

                shards[key] = new Shard(total, etag);
            }
        }

        return true;
    }

    private static TableEntity Row(string day, LlmUsageRecord record) => new(day, $"{NewestFirst(record.At)}-{record.Id}")
    {
        ["Id"] = record.Id,
        ["At"] = record.At,
        ["Provider"] = record.Provider,
        ["Model"] = record.Model,
        ["Purpose"] = record.Purpose,
        ["Symbol"] = record.Symbol,
        ["InputTokens"] = record.InputTokens,
        ["OutputTokens"] = record.OutputTokens,
        ["CostUsd"] = Text(record.CostUsd),
        ["LatencyMs"] = record.LatencyMs,
        ["Rounds"] = record.Rounds,
        ["Status"] = record.Status,
    };

    private static string ShardRow(LlmUsageRecord record) =>
        TotalRowPrefix + ((uint)StringComparer.Ordinal.GetHashCode(record.Id) % Shards).ToString(CultureInfo.InvariantCulture);

    public async Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.LlmUsage, cancellationToken);
        var partition = DayKey(day);
        var sum = LlmDailyUsage.Empty(day);
        await foreach (var shard in QueryTotalsAsync(table, partition, cancellationToken))
        {
            var t = FromTotal(shard);
            sum = sum with { Calls = sum.Calls + t.Calls, InputTokens = sum.InputTokens + t.InputTokens, OutputTokens = sum.OutputTokens + t.OutputTokens, CostUsd = sum.CostUsd + t.CostUsd };
        }

        return sum;
    }

    private static AsyncPageable<TableEntity> QueryTotalsAsync(TableClient table, string day, CancellationToken cancellationToken) =>
        table.QueryAsync<TableEntity>(
            e => e.PartitionKey == day && e.RowKey.CompareTo(TotalRowPrefix) >= 0 && e.RowKey.CompareTo(TotalRowPrefix + "~") < 0,
            cancellationToken: cancellationToken);

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static LlmDailyUsage FromTotal(TableEntity e) => new(
        DateOnly.ParseExact(e.PartitionKey, "yyyyMMdd", CultureInfo.InvariantCulture),
        e.GetInt32("Calls") ?? 0,
        e.GetInt64("InputTokens") ?? 0,
        e.GetInt64("OutputTokens") ?? 0,
        OptionalDecimal(e, "CostUsd") ?? 0m);

    /// <summary>A shard's total as last read or written, and the ETag to write the next one under.</summary>
    private sealed record Shard(LlmDailyUsage Total, ETag ETag);
}
