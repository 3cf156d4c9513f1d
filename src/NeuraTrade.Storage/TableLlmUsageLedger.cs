using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The LLM bill in table <c>llmusage</c>. Partition: the UTC day (yyyyMMdd). One row per brain request
/// (newest first) and running totals in <see cref="Shards"/> rows <c>~total-N</c> (N from the request id),
/// each written in the same transaction as its request row under the shard's ETag. The rows and the totals
/// never disagree; the shards let a scan's concurrent calls record without queuing on one row; the budget
/// check reads the few shard rows with one range query.
/// </summary>
public sealed class TableLlmUsageLedger(TableStore tables) : ILlmUsageLedger
{
    public const string TotalRowPrefix = "~total-";
    public const int Shards = 8;
    private const int MaxAttempts = 10;

    public async Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.LlmUsage, cancellationToken);
        var day = DayKey(DateOnly.FromDateTime(record.At.UtcDateTime));
        var row = new TableEntity(day, $"{NewestFirst(record.At)}-{record.Id}")
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

        var shardRow = TotalRowPrefix + (uint)StringComparer.Ordinal.GetHashCode(record.Id) % Shards;
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(day, shardRow, cancellationToken: cancellationToken);
            var total = current.HasValue ? FromTotal(current.Value!) : LlmDailyUsage.Empty(DateOnly.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture));
            var next = new TableEntity(day, shardRow)
            {
                ["Calls"] = total.Calls + 1,
                ["InputTokens"] = total.InputTokens + record.InputTokens,
                ["OutputTokens"] = total.OutputTokens + record.OutputTokens,
                ["CostUsd"] = Text(total.CostUsd + (record.CostUsd ?? 0m)),
            };
            TableTransactionAction[] actions =
            [
                new(TableTransactionActionType.UpsertReplace, row),
                current.HasValue
                    ? new(TableTransactionActionType.UpdateReplace, next, current.Value!.ETag)
                    : new(TableTransactionActionType.Add, next),
            ];
            try
            {
                await TableBatch.SubmitAsync(table, actions, cancellationToken);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
            }
        }
    }

    public async Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.LlmUsage, cancellationToken);
        var partition = DayKey(day);
        var sum = LlmDailyUsage.Empty(day);
        await foreach (var shard in table.QueryAsync<TableEntity>(
            e => e.PartitionKey == partition && e.RowKey.CompareTo(TotalRowPrefix) >= 0 && e.RowKey.CompareTo(TotalRowPrefix + "~") < 0,
            cancellationToken: cancellationToken))
        {
            var t = FromTotal(shard);
            sum = sum with { Calls = sum.Calls + t.Calls, InputTokens = sum.InputTokens + t.InputTokens, OutputTokens = sum.OutputTokens + t.OutputTokens, CostUsd = sum.CostUsd + t.CostUsd };
        }

        return sum;
    }

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static LlmDailyUsage FromTotal(TableEntity e) => new(
        DateOnly.ParseExact(e.PartitionKey, "yyyyMMdd", CultureInfo.InvariantCulture),
        e.GetInt32("Calls") ?? 0,
        e.GetInt64("InputTokens") ?? 0,
        e.GetInt64("OutputTokens") ?? 0,
        OptionalDecimal(e, "CostUsd") ?? 0m);
}
