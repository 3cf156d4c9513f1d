using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Risk;

/// <summary>
/// The admission rule over one view of the books: the live reservations and the stored open positions. Both
/// <see cref="IEntryAdmission"/> drivers (Table Storage across processes, in memory in a backtest) apply this one rule;
/// they differ only in how they get a consistent view and make the new reservation stick.
/// </summary>
public static class EntrySlotRule
{
    /// <summary>The reservations still held at <paramref name="now"/>; a lapsed one (its holder crashed or gave up) frees its slot.</summary>
    public static List<EntrySlot> Live(IEnumerable<EntrySlot> reservations, DateTimeOffset now) =>
        reservations.Where(r => r.Until > now).ToList();

    /// <summary>
    /// Why <paramref name="symbol"/> may not be reserved, or null when it may. A reservation whose decision already has
    /// a stored open position is counted once: the position is saved before the reservation is released.
    /// </summary>
    public static string? Refusal(string symbol, int maxPositions, IReadOnlyCollection<EntrySlot> live, IReadOnlyCollection<Position> open)
    {
        var stored = open.Select(p => p.DecisionId).ToHashSet(StringComparer.Ordinal);
        var taken = open.Count + live.Count(r => !stored.Contains(r.DecisionId));
        if (taken >= maxPositions)
        {
            return $"{taken} positions are open or being opened (Scalping:MaxPositions {maxPositions})";
        }

        return open.Any(p => p.Symbol == symbol) || live.Any(r => r.Symbol == symbol)
            ? $"a position in {symbol} is already open or being opened"
            : null;
    }

    /// <summary>
    /// The answers to <paramref name="requests"/> in turn: each checked (<see cref="Refusal"/>) against
    /// <paramref name="open"/> and <paramref name="live"/>, to which each slot granted (until <paramref name="until"/>) is
    /// added before the next request is checked. The stores write <paramref name="live"/> when any was granted.
    /// </summary>
    public static List<Admission> Admit(IReadOnlyList<SlotRequest> requests, int maxPositions, List<EntrySlot> live, IReadOnlyCollection<Position> open, DateTimeOffset until)
    {
        var admissions = new List<Admission>(requests.Count);
        foreach (var request in requests)
        {
            if (Refusal(request.Symbol, maxPositions, live, open) is { } refusal)
            {
                admissions.Add(Admission.Refused(refusal));
                continue;
            }

            var slot = new EntrySlot(request.Symbol, request.DecisionId, until, Guid.NewGuid().ToString("N"));
            live.Add(slot);
            admissions.Add(new Admission(slot, null));
        }

        return admissions;
    }
}
