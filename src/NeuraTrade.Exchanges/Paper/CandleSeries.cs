using System.Collections.Concurrent;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>One market's replayed candles (real data, gaps allowed) and the candle-to-price model.</summary>
public sealed class CandleSeries
{
    private readonly ConcurrentDictionary<string, ResampledCandles> _resampled = new(StringComparer.Ordinal);

    public CandleSeries(string symbol, string timeframe, IReadOnlyList<Candle> candles)
    {
        if (candles.Count < 2)
        {
            throw new ArgumentException($"{symbol}: a replay needs at least two candles", nameof(candles));
        }

        Symbol = symbol;
        Timeframe = timeframe;
        Candles = candles;
        Interval = ParseTimeframe(timeframe);
        Start = candles[0].OpenTime;
        End = candles[^1].OpenTime + Interval;
    }

    public string Symbol { get; }

    public string Timeframe { get; }

    public TimeSpan Interval { get; }

    public IReadOnlyList<Candle> Candles { get; }

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    /// <summary>
    /// These candles in <paramref name="timeframe"/>, a whole multiple of <see cref="Timeframe"/> (checked by
    /// <see cref="ResampledCandles.Unservable"/>), made once per timeframe.
    /// </summary>
    public ResampledCandles Resampled(string timeframe) => _resampled.GetOrAdd(timeframe, t => new ResampledCandles(Candles, Interval, t));

    /// <summary>Index of the candle in force at <paramref name="marketTime"/> (the last one opened at or before it).</summary>
    public int IndexAt(DateTimeOffset marketTime)
    {
        int lo = 0, hi = Candles.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Candles[mid].OpenTime <= marketTime)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>
    /// The traded price inside a candle: a path through open, the nearer extreme, the farther extreme and close
    /// (open → low → high → close for a rising candle, open → high → low → close for a falling one), one third
    /// of the candle each. In a gap after the candle, the close.
    /// </summary>
    public static decimal PriceWithin(Candle candle, TimeSpan interval, DateTimeOffset marketTime)
    {
        var elapsed = marketTime - candle.OpenTime;
        if (elapsed >= interval)
        {
            return candle.Close;
        }

        var f = (decimal)Math.Clamp(elapsed / interval, 0d, 1d) * 3m;
        var rising = candle.Close >= candle.Open;
        var first = rising ? candle.Low : candle.High;
        var second = rising ? candle.High : candle.Low;
        return f switch
        {
            < 1m => Lerp(candle.Open, first, f),
            < 2m => Lerp(first, second, f - 1m),
            _ => Lerp(second, candle.Close, f - 2m),
        };
    }

    public static TimeSpan ParseTimeframe(string timeframe)
    {
        if (timeframe.Length >= 2 && int.TryParse(timeframe[..^1], out var n) && n > 0)
        {
            switch (timeframe[^1])
            {
                case 'm':
                    return TimeSpan.FromMinutes(n);
                case 'h':
                    return TimeSpan.FromHours(n);
                case 'd':
                    return TimeSpan.FromDays(n);
                default:
                    break;
            }
        }

        throw new FormatException($"unknown timeframe '{timeframe}' (expected e.g. 1m, 5m, 1h, 1d)");
    }

    private static decimal Lerp(decimal from, decimal to, decimal t) => from + ((to - from) * t);
}
