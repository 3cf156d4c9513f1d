using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Risk;

namespace NeuraTrade.Storage;

/// <summary>
/// The arbitrage's admission lease: the same ETag-guarded reservation row as scalping entries (<see cref="TableEntryAdmission"/>,
/// table <c>entryslots</c>), but its own row (<c>admission/arbitrage</c>), so an arbitrage never takes a scalping position slot
/// and a scalping entry never blocks an arbitrage. At most <c>maxPositions</c> (the engine asks for 1) arbitrages hold a lease
/// at once across processes: two scans never spend one venue's inventory twice.
/// </summary>
public sealed class TableArbitrageAdmission(TableStore tables) : IEntryAdmission
{
    private const string Partition = "admission";
    private const string Row = "arbitrage";
    private const string SlotsColumn = "Slots";

    public async Task<Admission> TryReserveAsync(string symbol, string decisionId, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(until, now);
        var table = await tables.GetTableAsync(TableEntryAdmission.TableName, cancellationToken);
        for (var attempt = 1; attempt <= TableEntryAdmission.MaxAttempts; attempt++)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            var row = read.HasValue ? read.Value : null;
            var live = EntrySlotRule.Live(Slots(row), now);
            if (live.Count >= maxPositions)
            {
                return Admission.Refused($"another arbitrage is being executed (decision {live[0].DecisionId}, lease until {live[0].Until:O})");
            }

            var slot = new EntrySlot(symbol, decisionId, until, Guid.NewGuid().ToString("N"));
            live.Add(slot);
            if (await TryWriteAsync(table, row, live, cancellationToken))
            {
                return new Admission(slot, null);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 << Math.Min(attempt, 4))), cancellationToken);
        }

        return Admission.Refused($"the arbitrage lease kept changing under {TableEntryAdmission.MaxAttempts} attempts; try again");
    }

    public async Task ReleaseAsync(EntrySlot slot, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableEntryAdmission.TableName, cancellationToken);
        for (var attempt = 1; attempt <= TableEntryAdmission.MaxAttempts; attempt++)
        {
            var read = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            var row = read.HasValue ? read.Value : null;
            var slots = Slots(row);
            if (slots.RemoveAll(s => s.Token == slot.Token) == 0 || await TryWriteAsync(table, row, slots, cancellationToken))
            {
                return;
            }
        }

        // Harmless beyond a delay: the lease stops counting at its Until.
    }

    private static List<EntrySlot> Slots(TableEntity? row) =>
        row?.GetString(SlotsColumn) is { Length: > 0 } json ? JsonSerializer.Deserialize<List<EntrySlot>>(json) ?? [] : [];

    private static async Task<bool> TryWriteAsync(TableClient table, TableEntity? read, List<EntrySlot> slots, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition, Row) { [SlotsColumn] = JsonSerializer.Serialize(slots) };
        try
        {
            if (read is null)
            {
                await table.AddEntityAsync(entity, cancellationToken);
            }
            else
            {
                await table.UpdateEntityAsync(entity, read.ETag, TableUpdateMode.Replace, cancellationToken);
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }
}
