using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Trading;

/// <summary>
/// The books check as the status shows it. <see cref="Agrees"/> is null when the check could not be made, and
/// <see cref="Reason"/> says why. <see cref="Currencies"/> lists only the currencies the app trades (the bases and quotes
/// of <c>Scalping:Symbols</c> and of the positions counted).
/// </summary>
/// <param name="Agrees">Whether every traded currency holds what the books say; null when unknown.</param>
/// <param name="Reason">Why the check is unknown; null otherwise.</param>
/// <param name="CheckedAt">When the check was made (or tried).</param>
/// <param name="BaselineAt">When the baseline's account was read; null before a baseline exists.</param>
/// <param name="PositionsSince">The app's positions opened at or after this instant are counted.</param>
/// <param name="Currencies">Expected (baseline plus the counted positions' legs), actual (the account's total), their difference.</param>
public sealed record BooksStatus(
    bool? Agrees,
    string? Reason,
    DateTimeOffset CheckedAt,
    DateTimeOffset? BaselineAt,
    DateTimeOffset? PositionsSince,
    IReadOnlyList<CurrencyBooks> Currencies)
{
    public static BooksStatus Unknown(string reason, DateTimeOffset checkedAt, AccountBaseline? baseline) =>
        new(null, reason, checkedAt, baseline?.RecordedAt, baseline?.PositionsSince, []);
}

/// <summary>
/// Do the app's books agree with the live account? From the stored <see cref="AccountBaseline"/> (recorded by the first
/// scan) and the app's positions opened since, <see cref="BookReconciliation"/> derives what each currency should hold,
/// compared with the account's totals for the currencies the app trades only (the bases and quotes of
/// <c>Scalping:Symbols</c> and of its positions; a rolled baseline counts no old position, the symbols keep them listed):
/// holdings it never trades (BNB, a coin the user keeps) are left alone, but a manual trade, deposit or withdrawal in a
/// traded currency is a difference.
/// </summary>
/// <remarks>
/// Cheap on purpose: at most one check per <c>checkInterval</c> (the scan interval) per process, whoever asks (the scan, the
/// status); it reads the open positions, the closed trades of the days since <see cref="AccountBaseline.PositionsSince"/>
/// and the account once, then the open positions and today's trades again to make sure no fill landed in between (else it
/// reads again, up to three times). The baseline is rolled forward once it counts from more than
/// max(1 day, <see cref="ScalpingOptions.ReconcileLookback"/>) + 1 day ago, so a check reads three or four days of trades. It never throws (but for
/// cancellation): a failure is an unknown check with the reason. A disagreement is logged as one warning line when it
/// appears or its figures change, not at every check.
/// </remarks>
public sealed class LiveBooks(
    IExchange exchange,
    IPositionStore positions,
    IAccountBaselineStore baselines,
    IOptions<ScalpingOptions> options,
    TimeProvider time,
    ILogger<LiveBooks> logger,
    TimeSpan checkInterval,
    Markets.WallClock? wall = null) : IDisposable
{
    /// <summary>The check's cadence follows the scans, which run on the wall clock; its stamps are market time.</summary>
    private readonly TimeProvider _wall = Markets.WallClock.Or(wall, time);

    /// <summary>The oldest day of closed trades a check reads: a baseline that counts from earlier is not checked (delete it to record a new one).</summary>
    public const int WindowDays = 31;

    private const int ReadAttempts = 3;

    /// <summary>How much older than <see cref="_rollMargin"/> the baseline gets before it is rolled forward.</summary>
    private static readonly TimeSpan RollStep = TimeSpan.FromDays(1);

    /// <summary>
    /// A baseline rolls no closer to now than this: a crash-orphaned entry fill is adopted with its fill time up to
    /// <see cref="ScalpingOptions.ReconcileLookback"/> late, and must still be counted when it appears.
    /// </summary>
    private readonly TimeSpan _rollMargin = options.Value.ReconcileLookback > RollStep ? options.Value.ReconcileLookback : RollStep;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile BooksStatus? _last;
    private DateTimeOffset _lastAt;
    private string? _lastLogged;

    /// <summary>
    /// The check after a scan, under its claim (no order of the scan is in flight): records the baseline when there is
    /// none, then checks unless this process checked within the scan interval.
    /// </summary>
    public Task<BooksStatus> AfterScanAsync(CancellationToken cancellationToken) => CheckAsync(record: true, cancellationToken);

    /// <summary>The status's check: the last one if it is younger than the scan interval, else a new one. Never records a baseline.</summary>
    public Task<BooksStatus> CurrentAsync(CancellationToken cancellationToken) => CheckAsync(record: false, cancellationToken);

    public void Dispose() => _gate.Dispose();

    private async Task<BooksStatus> CheckAsync(bool record, CancellationToken cancellationToken)
    {
        if (Fresh(record) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(record) is { } meanwhile)
            {
                return meanwhile;
            }

            var now = time.GetUtcNow();
            BooksStatus result;
            var failed = false;
            try
            {
                result = await RunAsync(record, now, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failed = true;
                // One line: a storage error's message goes on with its status, headers and body.
                result = BooksStatus.Unknown($"the check failed: {FailureLogging.Reason(ex)}", now, null);
            }

            _lastAt = _wall.GetUtcNow();
            _last = result;
            Log(result, failed);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The last check while it is younger than the interval (for a scan, only once a baseline exists).</summary>
    private BooksStatus? Fresh(bool record) =>
        _last is { } last && _wall.GetUtcNow() - _lastAt < checkInterval && (!record || last.BaselineAt is not null) ? last : null;

    private async Task<BooksStatus> RunAsync(bool record, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var baseline = await baselines.GetAsync(cancellationToken);
        if (baseline is null)
        {
            if (!record)
            {
                return BooksStatus.Unknown("no baseline yet: the first scan records the account's balances", now, null);
            }

            var first = await ReadAsync(null, now, cancellationToken);
            if (first.Problem is { } notYet)
            {
                return BooksStatus.Unknown(notYet, now, null);
            }

            baseline = await baselines.AddIfAbsentAsync(AccountBaseline.Record(first.Account, first.Parts, now), cancellationToken);
            logger.LogInformation(
                "Books baseline recorded at {RecordedAt:yyyy-MM-dd HH:mm:ss}: the app's positions opened since {PositionsSince:yyyy-MM-dd HH:mm:ss} are counted against {Balances}",
                baseline.RecordedAt,
                baseline.PositionsSince,
                string.Join(", ", baseline.Balances.Where(b => b.Value != 0m).Select(b => $"{b.Value.ToString("0.########", CultureInfo.InvariantCulture)} {b.Key}")));
        }

        if (now - baseline.PositionsSince > TimeSpan.FromDays(WindowDays))
        {
            return BooksStatus.Unknown(
                $"the baseline counts positions from {baseline.PositionsSince:u}, more than {WindowDays} days ago (the app has not checked since, or a position that old is still open): "
                + "delete the baseline row (table scalpingstate, row baseline) to record a new one",
                now,
                baseline);
        }

        var read = await ReadAsync(baseline.PositionsSince, now, cancellationToken);
        if (read.Problem is { } problem)
        {
            return BooksStatus.Unknown(problem, now, baseline);
        }

        var counted = baseline.Counted(read.Parts).ToList();
        var books = BookReconciliation.Check(baseline.Balances, counted, read.Account);
        var traded = options.Value.Symbols.Concat(counted.Select(p => p.Symbol))
            .SelectMany(s => new[] { MarketSymbol.Base(s), MarketSymbol.Quote(s) })
            .ToHashSet(StringComparer.Ordinal);
        var lines = books.Currencies.Where(c => traded.Contains(c.Currency)).ToList();
        await RollAsync(baseline, counted, now, cancellationToken);
        return new BooksStatus(lines.All(l => l.Agrees), null, now, baseline.RecordedAt, baseline.PositionsSince, lines);
    }

    /// <summary>
    /// Every part opened since <paramref name="since"/> (or, for a new baseline, since the oldest open entry), open and
    /// closed, each once, and the account, read so that no position changed while the account was read.
    /// </summary>
    private async Task<(IReadOnlyList<Position> Parts, Balances Account, string? Problem)> ReadAsync(DateTimeOffset? since, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = Day(now);
        for (var attempt = 1; attempt <= ReadAttempts; attempt++)
        {
            var open = await positions.GetOpenAsync(cancellationToken);
            var from = since ?? AccountBaseline.CountFrom(open, now);
            if (now - from > TimeSpan.FromDays(WindowDays))
            {
                return ([], new Balances(new Dictionary<string, Balance>()), $"position {open.MinBy(p => p.OpenedAt)!.Id} has been open since {from:u}, more than {WindowDays} days: the baseline is recorded once it closes");
            }

            // A baseline another host recorded with its clock ahead counts from "later today": today is still read.
            var first = Day(from) < today ? Day(from) : today;
            var days = Enumerable.Range(0, today.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
            var closed = await Task.WhenAll(days.Select(d => positions.GetClosedAsync(d, cancellationToken)));
            var account = await exchange.FetchBalanceAsync(cancellationToken);

            // A fill booked while the account was read would show as a difference that is not one: read again.
            var openAfter = await positions.GetOpenAsync(cancellationToken);
            var todayAfter = await positions.GetClosedAsync(today, cancellationToken);
            if (Same(open, openAfter) && Same(closed[^1], todayAfter))
            {
                return (Merge(open, closed.SelectMany(c => c)), account, null);
            }
        }

        return ([], new Balances(new Dictionary<string, Balance>()), $"positions kept changing while the account was read ({ReadAttempts} attempts); checked again within the scan interval");
    }

    /// <summary>
    /// Moves the baseline forward (<see cref="AccountBaseline.RolledTo"/>) once it counts from more than
    /// <see cref="_rollMargin"/> + <see cref="RollStep"/> ago: to the margin, or to the oldest counted part still open.
    /// Another process rolling first wins; either baseline gives the same books.
    /// </summary>
    private async Task RollAsync(AccountBaseline baseline, List<Position> counted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now - baseline.PositionsSince <= _rollMargin + RollStep)
        {
            return;
        }

        var to = AccountBaseline.CountFrom(counted.Where(p => p.IsOpen), now - _rollMargin);
        if (to <= baseline.PositionsSince)
        {
            return;
        }

        try
        {
            if (await baselines.ReplaceAsync(baseline, baseline.RolledTo(to, counted), cancellationToken))
            {
                logger.LogInformation("Books baseline rolled forward: positions opened since {PositionsSince} are counted (was {Before})", to, baseline.PositionsSince);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The check stands; the roll is tried again at the next check.
            logger.LogInformation("Books baseline not rolled forward this time: {Error}", FailureLogging.Reason(ex));
        }
    }

    /// <summary>Closed parts first (a part closed twice after a crash counts once, the later row), then the open ones not closed meanwhile.</summary>
    private static List<Position> Merge(IReadOnlyList<Position> open, IEnumerable<Position> closed)
    {
        var parts = closed
            .GroupBy(p => p.Id, StringComparer.Ordinal)
            .Select(g => g.MaxBy(p => p.ClosedAt)!)
            .ToList();
        var closedIds = parts.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        parts.AddRange(open.Where(p => !closedIds.Contains(p.Id)));
        return parts;
    }

    private static bool Same(IReadOnlyList<Position> before, IReadOnlyList<Position> after) =>
        before.Count == after.Count
        && before.Select(p => (p.Id, p.Amount, p.IsOpen)).ToHashSet().SetEquals(after.Select(p => (p.Id, p.Amount, p.IsOpen)));

    private static DateOnly Day(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);

    /// <summary>One line when the verdict changes (a new disagreement, new figures, agreement again, a new reason it is unknown).</summary>
    private void Log(BooksStatus status, bool failed)
    {
        var differences = string.Join("; ", status.Currencies.Where(c => !c.Agrees).Select(c =>
            FormattableString.Invariant($"{c.Currency} expected {c.Expected} actual {c.Actual} difference {c.Difference}")));
        var verdict = status.Agrees switch
        {
            true => "agrees",
            false => "disagrees: " + differences,
            null => "unknown: " + status.Reason,
        };
        if (verdict == _lastLogged)
        {
            return;
        }

        if (status.Agrees == false)
        {
            logger.LogWarning(
                "Books disagree with the account: {Differences} (baseline of {BaselineAt}, positions since {PositionsSince}; a manual trade, deposit or withdrawal in a traded currency shows here)",
                differences,
                status.BaselineAt,
                status.PositionsSince);
        }
        else if (status.Agrees is null && failed)
        {
            logger.LogWarning("Books check unknown: {Reason}", status.Reason);
        }
        else if (status.Agrees is null)
        {
            logger.LogInformation("Books check unknown: {Reason}", status.Reason);
        }
        else if (_lastLogged is not null)
        {
            logger.LogInformation("Books agree with the account again");
        }

        _lastLogged = verdict;
    }
}
