namespace NeuraTrade.Core.Risk;

/// <summary>A reserved position slot: held from before an entry order is sent until its position is stored (or the entry failed).</summary>
public sealed record EntrySlot(string Symbol, string DecisionId, DateTimeOffset Until, string Token);

/// <summary>The answer to a reservation: the slot, or why none was given.</summary>
public sealed record Admission(EntrySlot? Slot, string? Refusal)
{
    public bool Admitted => Slot is not null;

    public static Admission Refused(string reason) => new(null, reason);
}

/// <summary>
/// Makes the admission of an entry exclusive across processes: before an entry order is sent, a slot and the symbol
/// are reserved against the stored open positions and every live reservation, so that however many hosts, scans,
/// HTTP requests and tools enter at once, there are never more than <c>Scalping:MaxPositions</c> positions nor two
/// in one symbol. Backed by ETag writes in Table Storage (in memory in backtests).
/// </summary>
public interface IEntryAdmission
{
    /// <summary>
    /// Reserves a slot for <paramref name="symbol"/> until <paramref name="until"/> unless the open positions plus the
    /// live reservations already reach <paramref name="maxPositions"/> or hold the symbol.
    /// </summary>
    Task<Admission> TryReserveAsync(string symbol, string decisionId, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Gives a slot back: its position is stored (and counts by itself from now on), or the entry failed.</summary>
    Task ReleaseAsync(EntrySlot slot, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves slots for several entries in one step (a scan's entries, in the order given): the answer for each is the
    /// one <see cref="TryReserveAsync"/> would give had they been reserved one after the other, the earlier ones counting
    /// against the later. A store that can do it in one conditional write does (the table: one read of the positions, one
    /// write); the default reserves them in turn.
    /// </summary>
    async Task<IReadOnlyList<Admission>> TryReserveManyAsync(
        IReadOnlyList<SlotRequest> requests, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var admissions = new List<Admission>(requests.Count);
        foreach (var request in requests)
        {
            admissions.Add(await TryReserveAsync(request.Symbol, request.DecisionId, maxPositions, now, until, cancellationToken));
        }

        return admissions;
    }

    /// <summary>Gives several slots back at once (the table: one write); the default releases them in turn.</summary>
    async Task ReleaseManyAsync(IReadOnlyCollection<EntrySlot> slots, CancellationToken cancellationToken)
    {
        foreach (var slot in slots)
        {
            await ReleaseAsync(slot, cancellationToken);
        }
    }
}

/// <summary>One entry asking for a slot: its symbol and its decision.</summary>
public sealed record SlotRequest(string Symbol, string DecisionId);
