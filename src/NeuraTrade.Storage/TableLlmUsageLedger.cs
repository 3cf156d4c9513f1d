using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The LLM bill in table <c>llmusage</c>. Partition: the UTC day (yyyyMMdd). One row per brain request
/// (newest first) and one <c>~total</c> row with the day's sums, written in the same transaction under the
/// total's ETag, so the budget check is a single point read and never disagrees with the rows.
/// </summary>
public sealed class TableLlmUsageLedger(TableStore tables) : ILlmUsageLedger
{
    public const string TotalRow = "~total";
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

        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(day, TotalRow, cancellationToken: cancellationToken);
            var total = current.HasValue ? FromTotal(current.Value!) : LlmDailyUsage.Empty(DateOnly.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture));
            var next = new TableEntity(day, TotalRow)
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
        var total = await table.GetEntityIfExistsAsync<TableEntity>(DayKey(day), TotalRow, cancellationToken: cancellationToken);
        return total.HasValue ? FromTotal(total.Value!) : LlmDailyUsage.Empty(day);
    }

    private static string DayKey(DateOnly day) => day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static LlmDailyUsage FromTotal(TableEntity e) => new(
        DateOnly.ParseExact(e.PartitionKey, "yyyyMMdd", CultureInfo.InvariantCulture),
        e.GetInt32("Calls") ?? 0,
        e.GetInt64("InputTokens") ?? 0,
        e.GetInt64("OutputTokens") ?? 0,
        OptionalDecimal(e, "CostUsd") ?? 0m);
}
