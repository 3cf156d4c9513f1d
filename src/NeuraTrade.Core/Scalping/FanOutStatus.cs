namespace NeuraTrade.Core.Scalping;

/// <summary>
/// The fan-out as the status shows it (docs/scalping.md, "Fan-out"): the interval last dispatched, its counts, and per
/// symbol where that interval's message stands and what the symbol's last scan and last dropped message were.
/// </summary>
public sealed record FanOutStatus(
    string? Interval,
    DateTimeOffset? DispatchedAt,
    string? DispatchedBy,
    FanOutCounts Counts,
    IReadOnlyList<FanOutSymbolStatus> Symbols)
{
    /// <summary>States of a symbol in the current interval.</summary>
    public const string StateScanned = FanOutOutcome.Scanned;
    public const string StateStale = FanOutOutcome.Stale;
    public const string StatePoisoned = FanOutOutcome.Poisoned;
    public const string StateScanning = "scanning";
    public const string StateRetrying = "retrying";
    public const string StatePending = "pending";
    public const string StateNotQueued = "not_queued";

    /// <summary>
    /// Reads <paramref name="snapshot"/> for the configured <paramref name="symbols"/> at <paramref name="now"/> (wall clock).
    /// A symbol's state in the current interval is, first match: scanned (its claim settled with a scan of it), stale or
    /// poisoned (its message dropped so), scanning (its claim is held for it), retrying (its last attempt failed), pending.
    /// </summary>
    public static FanOutStatus From(FanOutSnapshot snapshot, IReadOnlyList<string> symbols, DateTimeOffset now)
    {
        var interval = snapshot.Interval;
        var views = new List<FanOutSymbolStatus>(symbols.Count);
        foreach (var symbol in symbols)
        {
            var row = snapshot.Symbols.GetValueOrDefault(ScanFanOut.SymbolKey(symbol));
            views.Add(new FanOutSymbolStatus(symbol, StateOf(row, interval, snapshot.Enqueued, now), row?.LastScan, row?.LastDrop));
        }

        int Count(string state) => views.Count(v => v.State == state);
        var pending = Count(StatePending) + Count(StateScanning) + Count(StateRetrying);
        return new FanOutStatus(
            interval,
            snapshot.DispatchedAt,
            snapshot.DispatchedBy,
            new FanOutCounts(snapshot.Enqueued, Count(StateScanned), Count(StateStale), Count(StatePoisoned), pending),
            views);
    }

    private static string StateOf(FanOutSymbolRow? row, string? interval, int? enqueued, DateTimeOffset now)
    {
        if (interval is null || enqueued == 0)
        {
            return StateNotQueued;
        }

        if (row?.LastScan is { Outcome: FanOutOutcome.Scanned } scan && scan.Interval == interval)
        {
            return StateScanned;
        }

        if (row?.LastDrop is { Outcome: FanOutOutcome.Stale or FanOutOutcome.Poisoned } drop && drop.Interval == interval)
        {
            return drop.Outcome;
        }

        if (row is { ClaimOwner: { } owner, ClaimUntil: { } until } && until > now && owner.StartsWith(interval + "/", StringComparison.Ordinal))
        {
            return StateScanning;
        }

        return row?.LastScan is { Outcome: FanOutOutcome.Failed } failed && failed.Interval == interval ? StateRetrying : StatePending;
    }
}

/// <summary>
/// The current interval's counts: messages enqueued by its dispatcher (null until it recorded them), symbols scanned,
/// dropped as stale, moved to the poison queue, and not settled yet (waiting, scanning, or failed and to be retried).
/// </summary>
public sealed record FanOutCounts(int? Enqueued, int Scanned, int Stale, int Poisoned, int Pending);

/// <summary>
/// One symbol: <see cref="State"/> in the current interval (scanned, stale, poisoned, scanning, retrying, pending,
/// not_queued); <see cref="LastScan"/> its last scan (outcome scanned with the decision's outcome, or failed with the
/// reason), with its interval, wall time and instance; <see cref="LastDrop"/> its last message that did not scan
/// (stale, duplicate, poisoned) and why.
/// </summary>
public sealed record FanOutSymbolStatus(string Symbol, string State, FanOutEvent? LastScan, FanOutEvent? LastDrop);
