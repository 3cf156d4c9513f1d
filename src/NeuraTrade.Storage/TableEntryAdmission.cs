using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Storage;

/// <summary>
/// Entry admission across processes on one storage account. One row of the <c>entryslots</c> table holds every live
/// reservation (JSON); a reservation is a read of that row, a read of the open positions, the
/// <see cref="EntrySlotRule"/> check, and a write of the row conditional on the ETag that was read (insert when the
/// row was absent). When another process wrote in between, the write fails (412, or 409 on insert) and the whole
/// step starts over on fresh reads, so every admission was decided on a view nobody changed before it stuck.
/// </summary>
/// <remarks>
/// The row is read before the positions, and that order is what makes it safe. A process saves its position
/// before it releases its reservation, so a position is always covered by its reservation, its stored row, or both
/// (counted once, by decision id). Whoever reads the row after a release therefore finds the position when it reads
/// the positions next; reading the positions first could miss both (positions read before the save, row read after
/// the release) and admit one too many. Positions closing in between only make the view more cautious than needed.
/// <para>
/// The row as this process last wrote (or read) it is kept with its ETag and stands in for the read on a first attempt.
/// That is as safe as reading it: a write conditional on that ETag only sticks when the row did not change since it was
/// kept, which was before the positions are read, so it is exactly the view a read just before the positions would have
/// given. A stale copy costs one lost write (412) and the usual fresh read. Uncontended, an admission is thus a read of
/// the positions and one write, and a release one write; a scan's entries are reserved together, in that one read and
/// one write (<see cref="TryReserveManyAsync"/>), and released together in one write.
/// </para>
/// </remarks>
public sealed class TableEntryAdmission(TableStore tables, IPositionStore positions, ILogger<TableEntryAdmission> logger) : IEntryAdmission
{
    /// <summary>Prefixed like every table.</summary>
    public const string TableName = "entryslots";

    /// <summary>Conditional writes tried before giving up; each lost one means another process's write went through.</summary>
    public const int MaxAttempts = 12;

    private const string Partition = "admission";
    private const string Row = "slots";
    private const string SlotsColumn = "Slots";

    /// <summary>The row as this process last read or wrote it (with its ETag); null when unknown.</summary>
    private volatile TableEntity? _known;

    public async Task<Admission> TryReserveAsync(
        string symbol, string decisionId, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        (await TryReserveManyAsync([new SlotRequest(symbol, decisionId)], maxPositions, now, until, cancellationToken))[0];

    /// <summary>
    /// Every request in one conditional write: the row and the open positions are read once, each request is checked in
    /// turn against them and the slots granted before it, and the granted ones are written together (no write when none is).
    /// </summary>
    public async Task<IReadOnlyList<Admission>> TryReserveManyAsync(
        IReadOnlyList<SlotRequest> requests, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(until, now);
        if (requests.Count == 0)
        {
            return [];
        }

        var table = await tables.GetTableAsync(TableName, cancellationToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var kept = attempt == 1 ? _known : null;
            var row = kept ?? await ReadAsync(table, cancellationToken);
            var live = EntrySlotRule.Live(Slots(row), now);
            var open = await positions.GetOpenAsync(cancellationToken); // After the row: see the remarks.
            var admissions = EntrySlotRule.Admit(requests, maxPositions, live, open, until);

            if (kept is not null && admissions.Any(a => !a.Admitted))
            {
                // A refusal is only said on the row as read now (the kept copy may hold slots released since).
                _known = null;
                continue;
            }

            if (!admissions.Any(a => a.Admitted) || await TryWriteAsync(table, row, live, cancellationToken))
            {
                return admissions;
            }

            if (kept is null)
            {
                await BackOffAsync(attempt, cancellationToken); // A kept copy that was stale is read again at once.
            }
        }

        logger.LogWarning(new EventId(4201, "EntryAdmissionContended"), "Entry of {DecisionIds} {Symbols} not admitted: the entry slots changed under {Attempts} attempts", string.Join(',', requests.Select(r => r.DecisionId)), string.Join(',', requests.Select(r => r.Symbol)), MaxAttempts);
        return requests.Select(r => Admission.Refused($"the entry slots kept changing under {MaxAttempts} attempts (other entries at the same time); {r.Symbol} was not admitted, try again")).ToList();
    }

    public Task ReleaseAsync(EntrySlot slot, CancellationToken cancellationToken) => ReleaseManyAsync([slot], cancellationToken);

    /// <summary>Every slot in one conditional write.</summary>
    public async Task ReleaseManyAsync(IReadOnlyCollection<EntrySlot> slots, CancellationToken cancellationToken)
    {
        if (slots.Count == 0)
        {
            return;
        }

        var tokens = slots.Select(s => s.Token).ToHashSet(StringComparer.Ordinal);
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var kept = attempt == 1 ? _known : null;
            var row = kept ?? await ReadAsync(table, cancellationToken);
            var held = Slots(row);
            if (held.RemoveAll(r => tokens.Contains(r.Token)) == 0)
            {
                if (kept is not null)
                {
                    // Not in the kept copy: look at the row itself before concluding they are gone.
                    _known = null;
                    continue;
                }

                return; // Released already, or lapsed and dropped by a later reservation.
            }

            if (await TryWriteAsync(table, row, held, cancellationToken))
            {
                return;
            }

            if (kept is null)
            {
                await BackOffAsync(attempt, cancellationToken); // A kept copy that was stale is read again at once.
            }
        }

        // Harmless beyond a delay: a slot stops counting at its Until.
        foreach (var slot in slots)
        {
            logger.LogWarning(new EventId(4202, "EntrySlotReleaseContended"), "Entry slot of {DecisionId} {Symbol} not released under {Attempts} attempts; it lapses at {Until}", slot.DecisionId, slot.Symbol, MaxAttempts, slot.Until);
        }
    }

    private async Task<TableEntity?> ReadAsync(TableClient table, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        var read = row.HasValue ? row.Value : null;
        _known = read;
        return read;
    }

    private static List<EntrySlot> Slots(TableEntity? row) =>
        row?.GetString(SlotsColumn) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<List<EntrySlot>>(json) ?? throw new InvalidDataException($"{TableName} row {Partition}/{Row} holds no slot list")
            : [];

    /// <summary>Writes <paramref name="slots"/> only if the row is still as <paramref name="read"/> found it (absent: not yet created).</summary>
    private async Task<bool> TryWriteAsync(TableClient table, TableEntity? read, List<EntrySlot> slots, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Partition, Row) { [SlotsColumn] = JsonSerializer.Serialize(slots) };
        try
        {
            var written = read is null
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, read.ETag, TableUpdateMode.Replace, cancellationToken);
            if (written.Headers.ETag is { } etag)
            {
                entity.ETag = etag;
                _known = entity;
            }
            else
            {
                _known = null;
            }

            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            _known = null;
            return false; // Another process wrote (or removed) the row since we read it.
        }
    }

    /// <summary>A few jittered milliseconds, growing with each lost write, so contenders stop colliding in lockstep.</summary>
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 << Math.Min(attempt, 4))), cancellationToken);
}
