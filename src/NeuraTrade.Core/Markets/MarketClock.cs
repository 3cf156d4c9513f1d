namespace NeuraTrade.Core.Markets;

/// <summary>
/// The wall clock, beside the engine's <see cref="TimeProvider"/> (market time). Most of the app runs on market time:
/// hold time, cooldowns, loss-streak pause, decision age, the UTC day of the loss limits, order and position times. A
/// few things run in real time whatever market is traded, and take this clock instead: leases between processes (scan,
/// exit and entry claims: a lease must outlast a slow LLM call, which takes wall seconds), the LLM's timeouts, retries
/// and circuit breaker, the LLM bill's day (real money) and the local host's timers. Trading live or on a live feed the
/// two clocks are the same; on a replay the market clock runs <c>Exchange:ReplaySpeed</c> times faster.
/// </summary>
public sealed record WallClock(TimeProvider Time)
{
    /// <summary>The wall clock when the caller has none of its own: the market clock itself (live trading, tests of one clock).</summary>
    public static TimeProvider Or(WallClock? wall, TimeProvider market) => wall?.Time ?? market;
}

/// <summary>
/// Where a replay of recorded data stands. Null from <see cref="IMarketReplay.Current"/> when the market is live.
/// </summary>
/// <param name="WallTime">Now, on the wall clock.</param>
/// <param name="MarketTime">Now, on the market clock every process of this deployment shares.</param>
/// <param name="Speed">Market seconds per wall second.</param>
/// <param name="Lap">0 for the first pass over the data; each restart (<c>Exchange:ReplayLoop</c>) adds one.</param>
/// <param name="LapStartedAt">The wall instant this lap started at its first candle.</param>
/// <param name="DataStart">Market time of the first candle this lap (the earliest of the traded symbols' data).</param>
/// <param name="DataEnd">Market time at which the last traded symbol's data ends this lap.</param>
/// <param name="Loop">Whether the replay restarts from the first candle once it has finished and every position is closed.</param>
public sealed record ReplaySnapshot(
    DateTimeOffset WallTime,
    DateTimeOffset MarketTime,
    double Speed,
    int Lap,
    DateTimeOffset LapStartedAt,
    DateTimeOffset DataStart,
    DateTimeOffset DataEnd,
    bool Loop)
{
    /// <summary>True once the market clock is past the end of every traded symbol's data.</summary>
    public bool Finished => MarketTime >= DataEnd;
}

/// <summary>
/// The replay of recorded market data as the engine sees it (paper trading on bundled candles): one market clock for
/// every series and every process, an end of the data per symbol, and a restart when <c>Exchange:ReplayLoop</c> is set.
/// A live market has no replay (<see cref="Current"/> is null, nothing ends).
/// </summary>
public interface IMarketReplay
{
    /// <summary>Null on a live market.</summary>
    ReplaySnapshot? Current { get; }

    /// <summary>The market time at which <paramref name="symbol"/>'s data ends this lap; null when it never ends (live) or the symbol has no data.</summary>
    DateTimeOffset? DataEnd(string symbol);

    /// <summary>Re-reads the shared anchor, so a restart made by another process is seen (each scan calls it first).</summary>
    Task RefreshAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Starts the next lap at the first candle, when the replay has finished and loops. The caller has closed every
    /// position first. True when this call (or another process meanwhile) started a new lap.
    /// </summary>
    Task<bool> RestartAsync(CancellationToken cancellationToken);
}

/// <summary>The live market: no replay, nothing ends.</summary>
public sealed class LiveMarket : IMarketReplay
{
    public static LiveMarket Instance { get; } = new();

    public ReplaySnapshot? Current => null;

    public DateTimeOffset? DataEnd(string symbol) => null;

    public Task RefreshAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> RestartAsync(CancellationToken cancellationToken) => Task.FromResult(false);
}

/// <summary>
/// Which market instant a wall instant shows, shared by every process of a deployment: market time at wall time w is
/// <c>Market + (w − Wall) × Speed</c>, and the data shown at market time t is the data recorded at <c>t − DataOffset</c>.
/// Market time never goes back: a new lap moves <see cref="DataOffset"/> forward by whole days (so the time of day of
/// the data is kept) instead of rewinding the clock, and decisions, positions and days stay in order.
/// </summary>
/// <param name="DataStart">The first candle's time in the data this anchor was made for (a different data set starts a new replay).</param>
public sealed record ReplayAnchor(DateTimeOffset Wall, DateTimeOffset Market, double Speed, TimeSpan DataOffset, int Lap, DateTimeOffset DataStart)
{
    public DateTimeOffset MarketAt(DateTimeOffset wall) =>
        Market + TimeSpan.FromTicks((long)Math.Round((wall - Wall).Ticks * Speed, MidpointRounding.AwayFromZero));
}

/// <summary>An anchor as stored, with the version a conditional replace needs (the row's ETag in Table Storage).</summary>
public sealed record StoredReplayAnchor(ReplayAnchor Anchor, string Version);

/// <summary>
/// Where the replay's anchor is kept so that several processes agree on market time (Table Storage in the app, one row).
/// Reads and first writes are also synchronous: the market clock needs its anchor inside <see cref="TimeProvider.GetUtcNow"/>,
/// once per process.
/// </summary>
public interface IReplayAnchorStore
{
    StoredReplayAnchor? Get();

    /// <summary>Stores the first anchor; null when another process stored one first.</summary>
    StoredReplayAnchor? TryAdd(ReplayAnchor anchor);

    /// <summary>Replaces <paramref name="current"/> with <paramref name="next"/>; null when another process changed it first.</summary>
    StoredReplayAnchor? TryReplace(StoredReplayAnchor current, ReplayAnchor next);

    Task<StoredReplayAnchor?> GetAsync(CancellationToken cancellationToken);

    /// <inheritdoc cref="TryReplace"/>
    Task<StoredReplayAnchor?> TryReplaceAsync(StoredReplayAnchor current, ReplayAnchor next, CancellationToken cancellationToken);
}

/// <summary>The anchor in this process only (a CLI command without storage, unit tests).</summary>
public sealed class InMemoryReplayAnchorStore : IReplayAnchorStore
{
    private readonly object _gate = new();
    private StoredReplayAnchor? _stored;
    private long _version;

    public StoredReplayAnchor? Get()
    {
        lock (_gate)
        {
            return _stored;
        }
    }

    public StoredReplayAnchor? TryAdd(ReplayAnchor anchor)
    {
        lock (_gate)
        {
            return _stored is null ? _stored = new StoredReplayAnchor(anchor, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        }
    }

    public StoredReplayAnchor? TryReplace(StoredReplayAnchor current, ReplayAnchor next)
    {
        lock (_gate)
        {
            return _stored?.Version == current.Version ? _stored = new StoredReplayAnchor(next, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture)) : null;
        }
    }

    public Task<StoredReplayAnchor?> GetAsync(CancellationToken cancellationToken) => Task.FromResult(Get());

    public Task<StoredReplayAnchor?> TryReplaceAsync(StoredReplayAnchor current, ReplayAnchor next, CancellationToken cancellationToken) => Task.FromResult(TryReplace(current, next));
}
