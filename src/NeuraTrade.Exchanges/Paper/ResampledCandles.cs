using System.Globalization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// A market's candles in a coarser timeframe than its data's, made as an exchange makes them: buckets of the coarser
/// interval counted from the Unix epoch (so 5m candles open at :00, :05, …, 1d candles at 00:00 UTC), open of the
/// first candle in the bucket, highest high, lowest low, close of the last, volumes summed. A bucket with no candle (a
/// gap) has no candle. A bucket is closed once its interval has ended and its last candle has closed (the later of the
/// two, should the data's candles not be aligned to their own interval): before that a reader never sees it, so
/// nothing after the reading instant leaks into it.
/// </summary>
public sealed class ResampledCandles
{
    private readonly Candle[] _candles;
    private readonly DateTimeOffset[] _closesAt;

    /// <param name="candles">The data's candles, oldest first, each lasting <paramref name="interval"/>.</param>
    /// <param name="timeframe">The coarser timeframe; <see cref="Unservable"/> must have accepted it.</param>
    public ResampledCandles(IReadOnlyList<Candle> candles, TimeSpan interval, string timeframe)
    {
        Timeframe = timeframe;
        Interval = CandleSeries.ParseTimeframe(timeframe);
        var made = new List<Candle>();
        var closes = new List<DateTimeOffset>();
        var ticks = Interval.Ticks;
        for (var i = 0; i < candles.Count;)
        {
            var first = candles[i];
            var open = DateTimeOffset.UnixEpoch.AddTicks((first.OpenTime - DateTimeOffset.UnixEpoch).Ticks / ticks * ticks);
            var end = open + Interval;
            decimal high = first.High, low = first.Low, volume = 0m;
            var last = first;
            for (; i < candles.Count && candles[i].OpenTime < end; i++)
            {
                last = candles[i];
                high = Math.Max(high, last.High);
                low = Math.Min(low, last.Low);
                volume += last.Volume;
            }

            made.Add(new Candle(open, first.Open, high, low, last.Close, volume));
            var lastCloses = last.OpenTime + interval;
            closes.Add(lastCloses > end ? lastCloses : end);
        }

        _candles = [.. made];
        _closesAt = [.. closes];
    }

    public string Timeframe { get; }

    public TimeSpan Interval { get; }

    public IReadOnlyList<Candle> Candles => _candles;

    /// <summary>
    /// Null when candles of <paramref name="wanted"/> can be served from data in <paramref name="data"/> candles (the same
    /// timeframe, or a whole multiple of it, resampled), else why not.
    /// </summary>
    public static string? Unservable(string data, string wanted)
    {
        var have = CandleSeries.ParseTimeframe(data);
        var want = CandleSeries.ParseTimeframe(wanted);
        if (want == have)
        {
            return null;
        }

        if (want < have)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{wanted} candles cannot be made from {data} candles (they are finer than the data)");
        }

        return want.Ticks % have.Ticks == 0
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{wanted} candles cannot be made from {data} candles ({wanted} is not a whole multiple of {data})");
    }

    /// <summary>
    /// The candles closed at <paramref name="marketTime"/>: the newest <paramref name="limit"/>, or with
    /// <paramref name="since"/> the first <paramref name="limit"/> opened at or after it. Oldest first.
    /// </summary>
    public IReadOnlyList<Candle> Closed(DateTimeOffset marketTime, DateTimeOffset? since, int limit)
    {
        // The last bucket closed at marketTime (close times only grow: both the bucket ends and the candles' closes do).
        int lo = 0, hi = _closesAt.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_closesAt[mid] <= marketTime)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var count = lo;
        var take = Math.Max(0, limit);
        return since is { } from
            ? _candles.Take(count).Where(c => c.OpenTime >= from).Take(take).ToArray()
            : _candles.Skip(Math.Max(0, count - take)).Take(Math.Min(take, count)).ToArray();
    }
}
