using System.Globalization;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// The paper replay's market clock, the engine's <see cref="TimeProvider"/> in replay mode: market time at wall time w is
/// <c>anchor.Market + (w − anchor.Wall) × Exchange:ReplaySpeed</c>, so hold time, cooldowns, the loss-streak pause,
/// decision age and the UTC day of the loss limits mean in <c>serve</c> what they mean in <c>backtest</c>. One clock
/// for every series: the replay starts at the first candle of the traded symbols (<c>Scalping:Symbols</c> that have
/// data; all series when none has) and ends after the last one. Timers, timestamps for elapsed time and the time zone
/// are the wall clock's.
/// <para>
/// The anchor is shared through <see cref="IReplayAnchorStore"/> (Table Storage), so every process shows the same
/// market time: the first process stores it (at <c>Exchange:ReplayAnchor</c> when set, else at its start); later ones
/// read it. A changed <c>Exchange:ReplaySpeed</c> re-anchors without a jump; other data starts a new replay.
/// </para>
/// <para>
/// When every traded symbol's data has ended the replay is finished (the engine closes what is open at the last price
/// and enters nothing). With <c>Exchange:ReplayLoop=true</c> the engine then calls <see cref="RestartAsync"/>: the next
/// lap shows the first candle again, at a market time moved forward by whole days (the data's time of day kept), so
/// market time never goes back and decisions, positions and days stay in order.
/// </para>
/// </summary>
public sealed class ReplayClock : TimeProvider, IMarketReplay
{
    private readonly TimeProvider _wall;
    private readonly IReplayAnchorStore _store;
    private readonly double _speed;
    private readonly DateTimeOffset? _configuredAnchor;
    private readonly bool _loop;
    private readonly TimeSpan _warmup;
    private readonly ILogger _logger;
    private readonly Dictionary<string, CandleSeries> _traded;
    private readonly object _gate = new();
    private StoredReplayAnchor? _anchor;

    /// <param name="warmup">
    /// How far past the first candle a replay that is not anchored by configuration starts (each lap too): the history the
    /// brain reads (<c>AI:HistoryCandles</c> of its timeframe), so the first scans judge a market instead of holding for
    /// want of candles. Ignored when it is not shorter than the data.
    /// </param>
    public ReplayClock(CandleReplay replay, IEnumerable<string> tradedSymbols, IReplayAnchorStore store, PaperExchangeOptions options, WallClock wall, ILogger<ReplayClock> logger, TimeSpan warmup = default)
    {
        _wall = wall.Time;
        _store = store;
        _speed = options.ReplaySpeed;
        _configuredAnchor = ParseAnchor(options.ReplayAnchor);
        _loop = options.ReplayLoop;
        _logger = logger;
        _traded = new Dictionary<string, CandleSeries>(StringComparer.Ordinal);
        foreach (var symbol in tradedSymbols)
        {
            if (replay.TryGetSeries(symbol, out var series))
            {
                _traded[symbol] = series;
            }
        }

        if (_traded.Count == 0)
        {
            foreach (var series in replay.Series)
            {
                _traded[series.Symbol] = series;
            }
        }

        DataStart = _traded.Values.Min(s => s.Start);
        DataStop = _traded.Values.Max(s => s.End);
        _warmup = warmup > TimeSpan.Zero && warmup < DataStop - DataStart ? warmup : TimeSpan.Zero;
        Data = replay;
        if (_traded.Count > 1 && _traded.Values.Max(s => s.Start) >= _traded.Values.Min(s => s.End))
        {
            logger.LogWarning(
                "The traded symbols' replay data do not cover a common span ({Spans}): on one market clock some of them have no data while others trade. Replay markets recorded over the same days together",
                string.Join("; ", _traded.Values.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Symbol} {s.Start:yyyy-MM-dd}..{s.End:yyyy-MM-dd}"))));
        }
    }

    /// <summary>The first candle of the traded symbols' data, in data time.</summary>
    public DateTimeOffset DataStart { get; }

    /// <summary>The end of the last traded symbol's data, in data time.</summary>
    public DateTimeOffset DataStop { get; }

    public CandleReplay Data { get; }

    /// <summary>The symbols whose data sets the replay's span.</summary>
    public IReadOnlyCollection<string> TradedSymbols => _traded.Keys;

    /// <summary>A view of this clock in data time (market time minus the lap's offset): what the candle files are read at.</summary>
    public TimeProvider DataTime => new DataTimeView(this);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _wall.TimestampFrequency;

    public ReplaySnapshot? Current
    {
        get
        {
            var anchor = Anchor();
            var wall = _wall.GetUtcNow();
            return new ReplaySnapshot(wall, anchor.MarketAt(wall), anchor.Speed, anchor.Lap, anchor.Wall, DataStart + anchor.DataOffset, DataStop + anchor.DataOffset, _loop);
        }
    }

    /// <summary>The lap's offset between market time and the data's own time (zero on the first lap).</summary>
    public TimeSpan DataOffset => Anchor().DataOffset;

    public override DateTimeOffset GetUtcNow() => Anchor().MarketAt(_wall.GetUtcNow());

    public override long GetTimestamp() => _wall.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => _wall.CreateTimer(callback, state, dueTime, period);

    public DateTimeOffset? DataEnd(string symbol) =>
        Data.TryGetSeries(symbol, out var series) ? series.End + Anchor().DataOffset : null;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (await _store.GetAsync(cancellationToken) is { } stored)
        {
            Adopt(stored);
        }
    }

    public async Task<bool> RestartAsync(CancellationToken cancellationToken)
    {
        if (!_loop)
        {
            return false;
        }

        Anchor();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var stored = await _store.GetAsync(cancellationToken) ?? _anchor!;
            Adopt(stored);
            var anchor = stored.Anchor;
            var wall = _wall.GetUtcNow();
            var market = anchor.MarketAt(wall);
            if (market < DataStop + anchor.DataOffset)
            {
                // Not finished (another process restarted it meanwhile, or the caller was early).
                return attempt > 0;
            }

            // The next lap shows the first candle at the next market instant with the data's time of day.
            var days = (long)Math.Ceiling((market - DataStart).TotalDays);
            var offset = TimeSpan.FromDays(days);
            var next = new ReplayAnchor(wall, DataStart + offset + _warmup, _speed, offset, anchor.Lap + 1, DataStart);
            if (await _store.TryReplaceAsync(stored, next, cancellationToken) is { } replaced)
            {
                Adopt(replaced);
                _logger.LogInformation(
                    "Replay restarted from the first candle: lap {Lap}, market time {Market:yyyy-MM-dd HH:mm:ss} shows the data of {Data:yyyy-MM-dd HH:mm:ss} (Exchange:ReplayLoop)",
                    next.Lap, next.Market, next.Market - offset);
                return true;
            }
        }

        return false;
    }

    /// <summary>The anchor, loaded from the store (or stored) on first use; the store is read synchronously once.</summary>
    private ReplayAnchor Anchor()
    {
        var known = _anchor;
        if (known is not null)
        {
            return known.Anchor;
        }

        lock (_gate)
        {
            _anchor ??= Load();
            return _anchor.Anchor;
        }
    }

    private StoredReplayAnchor Load()
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = _store.Get();
            var wall = _wall.GetUtcNow();
            if (stored is null)
            {
                var fresh = Fresh(wall);
                if (_store.TryAdd(fresh) is { } added)
                {
                    _logger.LogInformation(
                        "Replay anchored: wall {Wall:yyyy-MM-dd HH:mm:ss} shows market time {Market:yyyy-MM-dd HH:mm:ss} (the data starts {DataStart:yyyy-MM-dd HH:mm}; the brain's history comes first), {Speed}× ({Symbols})",
                        fresh.Wall, fresh.Market, DataStart, _speed, string.Join(", ", _traded.Keys));
                    return added;
                }
            }
            else if (Adjusted(stored.Anchor, wall) is not { } replacement)
            {
                return stored;
            }
            else if (_store.TryReplace(stored, replacement) is { } replaced)
            {
                return replaced;
            }

            if (attempt >= 10)
            {
                throw new InvalidOperationException("the replay anchor kept changing under this process (10 attempts)");
            }
        }
    }

    /// <summary>A new replay: the configured anchor shows the first candle; without one, now shows the first candle plus the warm-up.</summary>
    private ReplayAnchor Fresh(DateTimeOffset wall) =>
        _configuredAnchor is { } configured
            ? new(configured, DataStart, _speed, TimeSpan.Zero, 0, DataStart)
            : new(wall, DataStart + _warmup, _speed, TimeSpan.Zero, 0, DataStart);

    /// <summary>The anchor to store instead of <paramref name="stored"/>, or null when it fits this process's settings.</summary>
    private ReplayAnchor? Adjusted(ReplayAnchor stored, DateTimeOffset wall)
    {
        if (stored.DataStart != DataStart)
        {
            _logger.LogWarning(
                "Replay data changed (first candle {Old:yyyy-MM-dd HH:mm} → {New:yyyy-MM-dd HH:mm}): the replay starts again",
                stored.DataStart, DataStart);
            return Fresh(wall);
        }

        if (_configuredAnchor is { } configured && stored.Lap == 0 && stored.Wall != configured && stored.Speed == _speed)
        {
            _logger.LogInformation("Exchange:ReplayAnchor changed to {Anchor:O}: the replay follows it", configured);
            return Fresh(wall);
        }

        if (!stored.Speed.Equals(_speed))
        {
            var market = stored.MarketAt(wall);
            _logger.LogInformation(
                "Exchange:ReplaySpeed changed from {Old} to {New}: re-anchored at market time {Market:yyyy-MM-dd HH:mm:ss} (no jump)",
                stored.Speed, _speed, market);
            return stored with { Wall = wall, Market = market, Speed = _speed };
        }

        return null;
    }

    private void Adopt(StoredReplayAnchor stored)
    {
        lock (_gate)
        {
            _anchor = stored;
        }
    }

    private static DateTimeOffset? ParseAnchor(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? at
                : throw new FormatException($"Exchange:ReplayAnchor '{text}' is not an instant (e.g. 2026-03-02T10:00:00Z)");

    private sealed class DataTimeView(ReplayClock clock) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow()
        {
            var anchor = clock.Anchor();
            return anchor.MarketAt(clock._wall.GetUtcNow()) - anchor.DataOffset;
        }

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override long GetTimestamp() => clock.GetTimestamp();
    }
}
