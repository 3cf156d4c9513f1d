namespace NeuraTrade.Core.Scalping;

/// <summary>
/// What the fan-out did, kept beside its claims (Table Storage: the <c>scanclaims</c> rows) so that the status can say, per
/// symbol, who scanned it last and what came of it, across instances. Written on the claims' own writes where it can be
/// (settling a symbol's claim carries its outcome: no extra round trip on a scan's path); a message that did not scan
/// (stale, a duplicate, poisoned) writes a row of its own, so a holder's claim and its ETag are left alone.
/// </summary>
public interface IFanOutProgress
{
    /// <summary>
    /// Settles a symbol's claim under its ETag with what its scan came to: held until <paramref name="until"/> (scanned:
    /// the interval's end) or lapsed at once (failed: given back for the retry). False when the claim was lost meanwhile.
    /// </summary>
    Task<bool> SettleAsync(ScanClaim claim, DateTimeOffset until, FanOutEvent outcome, CancellationToken cancellationToken);

    /// <summary>A message about <paramref name="symbol"/> that did not scan: stale, a duplicate, or moved to the poison queue.</summary>
    Task RecordDropAsync(string symbol, FanOutEvent drop, CancellationToken cancellationToken);

    /// <summary>The dispatcher's count of messages it enqueued for its interval, on the interval's claim (under its ETag).</summary>
    Task RecordDispatchAsync(ScanClaim intervalClaim, int enqueued, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The last dispatched interval and, per symbol key (<see cref="ScanFanOut.SymbolKey"/>), its claim and last events.</summary>
    Task<FanOutSnapshot> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>Kinds of <see cref="FanOutEvent"/>.</summary>
public static class FanOutOutcome
{
    /// <summary>The symbol was scanned: the detail is the scan's outcome (the decision's action, or the HOLD and its reason).</summary>
    public const string Scanned = "scanned";

    /// <summary>The scan threw: its claim was given back and the host retries the message; the detail is the reason.</summary>
    public const string Failed = "failed";

    /// <summary>The message was taken at or after its interval's end and dropped unread by the brain.</summary>
    public const string Stale = "stale";

    /// <summary>The symbol's claim was held: a duplicate or redelivered message, or the previous interval's scan still ran.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>The message failed <c>maxDequeueCount</c> times and went to the poison queue; the detail is the last failure.</summary>
    public const string Poisoned = "poisoned";
}

/// <summary>One thing that happened to one symbol's message: in which interval, when (wall clock), on which instance, and what.</summary>
public sealed record FanOutEvent(string Interval, DateTimeOffset At, string Instance, string Outcome, string Detail, string? DecisionId = null);

/// <summary>
/// The stored picture: the interval last claimed by a dispatcher (and how many messages it enqueued, once known), and per
/// symbol key, who holds or last held its claim (<see cref="FanOutSymbolRow.ClaimOwner"/> is <c>{interval}/{instance}</c>)
/// and its last scan and last drop.
/// </summary>
public sealed record FanOutSnapshot(
    string? Interval,
    string? DispatchedBy,
    int? Enqueued,
    DateTimeOffset? DispatchedAt,
    IReadOnlyDictionary<string, FanOutSymbolRow> Symbols);

/// <summary>One symbol's rows: its claim (owner and until) with the last settled scan, and its last dropped message.</summary>
public sealed record FanOutSymbolRow(string? ClaimOwner, DateTimeOffset? ClaimUntil, FanOutEvent? LastScan, FanOutEvent? LastDrop);
