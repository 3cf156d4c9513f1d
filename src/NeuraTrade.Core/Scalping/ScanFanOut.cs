using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// The scan spread over instances (docs/scalping.md, "Fan-out"). The timer claims its interval (one dispatcher per
/// interval, whatever the number of instances), runs the exits itself (fast, no brain, never behind an entry) and
/// enqueues one message per symbol; the queue-triggered function scans one symbol under that symbol's claim, so a
/// duplicated or redelivered message scans nothing twice, and a message that outlived its interval is dropped unread
/// by the brain. Entries still pass the exclusive admission, which bounds positions across instances.
/// </summary>
public sealed class ScanFanOut(
    ScalpingEngine engine,
    IScanClaimStore claims,
    ISymbolScanQueue queue,
    IScalpingStateStore stateStore,
    ScanCadence cadence,
    IOptions<ScalpingOptions> options,
    TimeProvider time,
    ILogger<ScanFanOut> logger,
    WallClock? wall = null,
    IFanOutProgress? progress = null)
{
    /// <summary>The dispatcher's claim: held until its interval ends, never released, so one timer per interval fans out.</summary>
    public const string IntervalKey = "interval";

    private readonly ScalpingOptions _options = options.Value;
    private readonly TimeProvider _wall = WallClock.Or(wall, time);
    private readonly string _owner = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>This instance's name in claims, logs and the status: machine, process id and a random suffix.</summary>
    public string Instance => _owner;

    /// <summary>Whether the configured symbols fan out (<c>Scalping:FanOut</c>, <c>Scalping:FanOutAbove</c>).</summary>
    public bool Active => _options.FansOut(_options.Symbols.Length);

    /// <summary>The claim key of one symbol's scan (table keys allow no '/').</summary>
    public static string SymbolKey(string symbol) => "symbol-" + symbol.Replace('/', '-');

    /// <summary>What the timer runs: the whole scan here, or (fanned out) the exits and one message per symbol.</summary>
    public Task<ScanReport> RunIntervalAsync(CancellationToken cancellationToken) =>
        Active ? DispatchAsync(cancellationToken) : engine.RunScanAsync(cancellationToken);

    /// <summary>Claims the current interval, runs the exits and, when entries are on, enqueues every listed symbol.</summary>
    public async Task<ScanReport> DispatchAsync(CancellationToken cancellationToken)
    {
        var now = _wall.GetUtcNow();
        var interval = ScanInterval.At(now, cadence.Interval);
        var startedAt = time.GetUtcNow();

        // A timer firing a hair early (its interval starts just ahead) must see the previous interval's claim as lapsed.
        var claimedAt = now > interval.Start ? now : interval.Start;
        var intervalClaim = await claims.TryClaimAsync(IntervalKey, $"{interval.Id}/{_owner}", claimedAt, interval.End, cancellationToken);
        if (intervalClaim is null)
        {
            logger.ScanSkipped($"interval {interval.Id} was already fanned out", 0);
            return new ScanReport(startedAt, time.GetUtcNow(), true, [], $"interval {interval.Id} was already fanned out");
        }

        var pass = await engine.RunExitsAsync(cancellationToken);
        var symbols = pass.EntriesOff is null ? pass.Symbols : [];
        if (symbols.Count > 0)
        {
            // Not taken within two intervals (or a minute), a message would only be dropped as stale: let the queue drop it.
            var ttl = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks, 2 * cadence.Interval.Ticks));
            await queue.EnqueueAsync(symbols.Select(s => SymbolScanRequest.For(interval, s)).ToList(), ttl, cancellationToken);
        }

        if (progress is not null)
        {
            await progress.RecordDispatchAsync(intervalClaim, symbols.Count, _wall.GetUtcNow(), cancellationToken);
        }

        var outcome = pass.EntriesOff is null ? $"queued for interval {interval.Id}" : $"{pass.EntriesOff}: exits only";
        var report = new ScanReport(
            startedAt,
            time.GetUtcNow(),
            pass.EntriesOff is not null,
            pass.Symbols.Select(s => new SymbolScan(s, outcome, null, null, pass.Closed.Where(p => p.Symbol == s).ToList())).ToList(),
            pass.EntriesOff,
            pass.Reconciled);
        await stateStore.UpdateAsync(s => s.On(report.FinishedAt) with { LastScanAt = report.FinishedAt, LastScanSummary = report.Summary }, cancellationToken);
        logger.IntervalFannedOut(interval.Id, symbols.Count, report.Exits);
        return report;
    }

    /// <summary>
    /// One message: dropped when stale (its interval is over), malformed or about a symbol not configured; skipped when
    /// the symbol's claim is held (a duplicate, a redelivery after the scan, or the previous interval's scan still
    /// running); else scanned once. A scan that fails gives its claim back and throws, so the message is retried (and
    /// ends in the poison queue after the host's <c>maxDequeueCount</c>).
    /// </summary>
    public async Task<SymbolScanOutcome> ScanSymbolAsync(SymbolScanRequest request, CancellationToken cancellationToken)
    {
        var now = _wall.GetUtcNow();
        if (now >= request.End)
        {
            var reason = $"stale: its interval ended at {request.End:O}, {(now - request.End).TotalSeconds:0.###} s ago";
            logger.SymbolScanDropped(request.Interval, request.Symbol, reason);
            await RecordDropAsync(request, FanOutOutcome.Stale, reason, now, cancellationToken);
            return SymbolScanOutcome.Stale;
        }

        if (!MarketSymbol.TryNormalize(request.Symbol, out var symbol) || !_options.Symbols.Contains(symbol, StringComparer.Ordinal))
        {
            logger.SymbolScanDropped(request.Interval, request.Symbol, "not one of Scalping:Symbols");
            return SymbolScanOutcome.NotConfigured;
        }

        // A clock a hair behind the dispatcher's must not see the previous interval's settled claim as still held.
        var claimedAt = now > request.Start ? now : request.Start;
        var claim = await claims.TryClaimAsync(SymbolKey(symbol), $"{request.Interval}/{_owner}", claimedAt, claimedAt + _options.ScanLeaseTime, cancellationToken);
        if (claim is null)
        {
            const string held = "its claim is held: already scanned in this interval (a duplicate or redelivered message) or its previous scan is still running";
            logger.SymbolScanDropped(request.Interval, symbol, held);
            await RecordDropAsync(request, FanOutOutcome.Duplicate, held, now, cancellationToken);
            return SymbolScanOutcome.AlreadyClaimed;
        }

        var lease = new ClaimKeeper(claims, claim, _options.ScanLeaseTime, _wall, logger);
        SymbolScan? result = null;
        string? failure = null;
        try
        {
            result = await engine.ScanSymbolAsync(symbol, lease, cancellationToken);
            logger.SymbolScanned(request.Interval, symbol, result.Outcome);
            return SymbolScanOutcome.Scanned(result);
        }
        catch (Exception ex)
        {
            failure = FailureLogging.Reason(ex);
            throw;
        }
        finally
        {
            await lease.DisposeAsync();
            if (lease.Current is { } current)
            {
                await SettleAsync(request, current, result, failure ?? "cancelled");
            }
        }
    }

    /// <summary>
    /// Records that <paramref name="request"/>'s message went to the poison queue after its last failed attempt (the queue
    /// trigger calls it), so the status shows it; best effort: the message is poisoned whatever this write does.
    /// </summary>
    public Task RecordPoisonedAsync(SymbolScanRequest request, string reason, CancellationToken cancellationToken) =>
        RecordDropAsync(request, FanOutOutcome.Poisoned, reason, _wall.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Scanned: keep the claim until the interval ends, so a late copy of this message finds it held. Failed: give it
    /// back, so the retried message scans (nothing was placed twice: the desk refuses a repeated decision). With the
    /// progress store, the same write carries the outcome.
    /// </summary>
    private async Task SettleAsync(SymbolScanRequest request, ScanClaim held, SymbolScan? result, string failure)
    {
        var now = _wall.GetUtcNow();
        var keep = result is not null && now < request.End;
        if (progress is not null)
        {
            var outcome = result is not null
                ? new FanOutEvent(request.Interval, now, _owner, FanOutOutcome.Scanned, result.Outcome, result.DecisionId)
                : new FanOutEvent(request.Interval, now, _owner, FanOutOutcome.Failed, failure);
            // Given back: lapsed since the interval's start, so a retry on any instance takes it, even one whose clock is behind.
            await progress.SettleAsync(held, keep ? request.End : request.Start, outcome, CancellationToken.None);
        }
        else if (keep)
        {
            await claims.RenewAsync(held, request.End, CancellationToken.None);
        }
        else
        {
            await claims.ReleaseAsync(held, CancellationToken.None);
        }
    }

    /// <summary>The status's record of a message that did not scan; a failure to write it is logged, never thrown.</summary>
    private async Task RecordDropAsync(SymbolScanRequest request, string kind, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (progress is null || !MarketSymbol.TryNormalize(request.Symbol, out var symbol))
        {
            return;
        }

        try
        {
            await progress.RecordDropAsync(symbol, new FanOutEvent(request.Interval, at, _owner, kind, reason), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogFailure(LogLevel.Warning, ex, "The fan-out's record of a {Kind} message about {Symbol} was not written: {Reason}", kind, request.Symbol);
        }
    }
}

/// <summary>What became of one fan-out message.</summary>
public sealed record SymbolScanOutcome(string Kind, SymbolScan? Scan)
{
    public static readonly SymbolScanOutcome Stale = new("stale", null);
    public static readonly SymbolScanOutcome NotConfigured = new("not_configured", null);
    public static readonly SymbolScanOutcome AlreadyClaimed = new("already_claimed", null);

    public static SymbolScanOutcome Scanned(SymbolScan scan) => new("scanned", scan);
}

/// <summary>The fan-out's events (1051-1059), beside the trading events of <see cref="TradingLog"/>.</summary>
public static partial class FanOutLog
{
    public const int IntervalFannedOutId = 1051;
    public const int SymbolScannedId = 1052;
    public const int SymbolScanDroppedId = 1053;
    public const int SymbolScanPoisonedId = 1054;

    [LoggerMessage(EventId = IntervalFannedOutId, EventName = "IntervalFannedOut", Level = LogLevel.Information,
        Message = TradingLog.Prefix + " interval {Interval} fanned out: {Symbols} symbols queued, {Exits} exits")]
    public static partial void IntervalFannedOut(this ILogger logger, string interval, int symbols, int exits);

    [LoggerMessage(EventId = SymbolScannedId, EventName = "SymbolScanned", Level = LogLevel.Information,
        Message = TradingLog.Prefix + " symbol scan {Interval} {Symbol}: {Outcome}")]
    public static partial void SymbolScanned(this ILogger logger, string interval, string symbol, string outcome);

    [LoggerMessage(EventId = SymbolScanDroppedId, EventName = "SymbolScanDropped", Level = LogLevel.Information,
        Message = TradingLog.Prefix + " symbol scan {Interval} {Symbol} dropped: {Reason}")]
    public static partial void SymbolScanDropped(this ILogger logger, string interval, string symbol, string reason);

    [LoggerMessage(EventId = SymbolScanPoisonedId, EventName = "SymbolScanPoisoned", Level = LogLevel.Warning,
        Message = TradingLog.Prefix + " symbol scan message {MessageId} goes to the poison queue {PoisonQueue} after {DequeueCount} attempts: {Reason}")]
    public static partial void SymbolScanPoisoned(this ILogger logger, string messageId, string poisonQueue, long dequeueCount, string reason);
}
