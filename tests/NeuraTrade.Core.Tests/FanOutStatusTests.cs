using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The status's reading of the fan-out's rows, case by case against hand-written rows: which state each symbol is in for
/// the current interval, and the interval's counts.
/// </summary>
public sealed class FanOutStatusTests
{
    private const string Now = "20261203T081010Z";
    private const string Before = "20261203T081000Z";
    private static readonly DateTimeOffset At = new(2026, 12, 3, 8, 10, 14, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 12, 3, 8, 10, 20, TimeSpan.Zero);

    [Fact]
    public void Each_symbol_takes_the_first_state_that_applies_and_the_counts_add_them_up()
    {
        FanOutEvent Event(string interval, string outcome) => new(interval, At.AddSeconds(-1), "host-a", outcome, outcome + " detail");
        var rows = new Dictionary<string, FanOutSymbolRow>
        {
            // Scanned this interval, and a late copy dropped as a duplicate since: scanned.
            ["symbol-ADA-BTC"] = new($"{Now}/host-a", End, Event(Now, FanOutOutcome.Scanned), Event(Now, FanOutOutcome.Duplicate)),

            // Failed twice, then poisoned: poisoned, not retrying.
            ["symbol-ETC-BTC"] = new($"{Now}/host-b", At.AddSeconds(-1), Event(Now, FanOutOutcome.Failed), Event(Now, FanOutOutcome.Poisoned)),

            // Taken too late: stale.
            ["symbol-ETH-BTC"] = new($"{Before}/host-a", End.AddSeconds(-10), Event(Before, FanOutOutcome.Scanned), Event(Now, FanOutOutcome.Stale)),

            // Claimed for this interval and held: scanning (its last scan is the previous interval's).
            ["symbol-LTC-BTC"] = new($"{Now}/host-b", At.AddSeconds(30), Event(Before, FanOutOutcome.Scanned), null),

            // Failed once this interval, claim given back: retrying.
            ["symbol-TRX-BTC"] = new($"{Now}/host-a", At.AddSeconds(-2), Event(Now, FanOutOutcome.Failed), null),

            // Still on the previous interval's settled claim: pending. A stale drop of the previous interval does not count now.
            ["symbol-XLM-BTC"] = new($"{Before}/host-a", End.AddSeconds(-10), Event(Before, FanOutOutcome.Scanned), Event(Before, FanOutOutcome.Stale)),
        };

        // XMR/BTC has no rows at all (never scanned yet): pending.
        var status = FanOutStatus.From(new FanOutSnapshot(Now, "host-a", 7, At.AddSeconds(-4), rows), ["ADA/BTC", "ETC/BTC", "ETH/BTC", "LTC/BTC", "TRX/BTC", "XLM/BTC", "XMR/BTC"], At);

        Assert.Equal(["scanned", "poisoned", "stale", "scanning", "retrying", "pending", "pending"], status.Symbols.Select(s => s.State));
        Assert.Equal(new FanOutCounts(7, 1, 1, 1, 4), status.Counts);
        Assert.Equal((Now, "host-a"), (status.Interval, status.DispatchedBy));
        Assert.Equal(FanOutOutcome.Duplicate, status.Symbols[0].LastDrop!.Outcome);
        Assert.Null(status.Symbols[6].LastScan);
    }

    [Fact]
    public void An_interval_dispatched_while_scalping_was_off_queued_nothing_and_none_is_pending()
    {
        var rows = new Dictionary<string, FanOutSymbolRow> { ["symbol-ETH-BTC"] = new($"{Before}/host-a", End.AddSeconds(-10), null, null) };

        var status = FanOutStatus.From(new FanOutSnapshot(Now, "host-a", 0, At, rows), ["ETH/BTC", "LTC/BTC"], At);

        Assert.Equal(["not_queued", "not_queued"], status.Symbols.Select(s => s.State));
        Assert.Equal(new FanOutCounts(0, 0, 0, 0, 0), status.Counts);
    }
}
