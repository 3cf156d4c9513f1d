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
}
