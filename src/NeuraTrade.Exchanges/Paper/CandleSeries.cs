using System.Collections.Concurrent;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// One market's replayed candles (real data, gaps allowed), its price tick, and the price path inside a candle
/// (<see cref="PriceWithin"/>): what the replay shows at a market time depends only on candles closed before it and on
/// the part of the candle in force that this path has already walked.
/// </summary>
public sealed class CandleSeries
{
    /// <summary>The path inside a candle has four steps of a quarter candle each: open, first extreme, second extreme, close.</summary>
    public const int PathSteps = 4;

    private readonly ConcurrentDictionary<string, ResampledCandles> _resampled = new(StringComparer.Ordinal);

    /// <param name="tickSize">The market's price tick (<see cref="MarketTicks"/>); null: the tick the candles show (<see cref="MarketTicks.Inferred"/>).</param>
    public CandleSeries(string symbol, string timeframe, IReadOnlyList<Candle> candles, decimal? tickSize = null)
    {
        if (candles.Count < 2)
        {
            throw new ArgumentException($"{symbol}: a replay needs at least two candles", nameof(candles));
        }

        if (tickSize is <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(tickSize), tickSize, $"{symbol}: the price tick must be positive");
        }

        Symbol = symbol;
        Timeframe = timeframe;
        Candles = candles;
        Interval = ParseTimeframe(timeframe);
        Start = candles[0].OpenTime;
        End = candles[^1].OpenTime + Interval;
        TickSize = tickSize ?? MarketTicks.Inferred(candles);
    }

    public string Symbol { get; }

    /// <summary>The market's price tick: the modelled spread is never narrower, limit prices are rounded to it.</summary>
    public decimal TickSize { get; }

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
    /// Index of the last candle closed at <paramref name="marketTime"/>, given <paramref name="index"/>, the candle in force
    /// (<see cref="IndexAt"/>): that candle once its interval has passed (in a gap after it), else the one before it; −1
    /// when none has closed yet.
    /// </summary>
    public int LastClosed(int index, DateTimeOffset marketTime) =>
        Candles[index].OpenTime + Interval <= marketTime ? index : index - 1;

    /// <summary>
    /// Whether the path inside <paramref name="candle"/> visits its low before its high: in candles whose open time is an
    /// even number of intervals from the Unix epoch, and the high first in the others. The order is fixed by the clock
    /// alone, never by the candle's own prices: the old rule (low first when the candle closed up) told the path at the
    /// open which way the candle would close. Alternating, half the candles go each way, as in a market where the order of
    /// the extremes is not known in advance.
    /// </summary>
    public static bool LowFirst(Candle candle, TimeSpan interval) =>
        (candle.OpenTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / interval.Ticks % 2 == 0;

    /// <summary>
    /// Which step of the path is in force at <paramref name="marketTime"/>: 0 (open) for the first quarter of the candle,
    /// 1 (first extreme), 2 (second extreme), 3 (close) for the last quarter; <see cref="PathSteps"/> after the candle
    /// (in a gap in the data). Before the candle's open, 0.
    /// </summary>
    public static int StepAt(Candle candle, TimeSpan interval, DateTimeOffset marketTime)
    {
        var elapsed = marketTime - candle.OpenTime;
        if (elapsed >= interval)
        {
            return PathSteps;
        }

        return elapsed <= TimeSpan.Zero ? 0 : (int)(elapsed.Ticks * PathSteps / interval.Ticks);
    }

    /// <summary>
    /// The traded price inside a candle, a step path through its four prices: the open for the first quarter of the
    /// candle, then the first extreme (<see cref="LowFirst"/>), then the other extreme, then the close for the last
    /// quarter; after the candle (a gap), the close. The price jumps to each point when its quarter begins and stays there:
    /// at any instant it is a point the path has reached, so it tells nothing of what the candle does later. (A price
    /// moving in a straight line toward a not yet reached extreme would give that extreme away.)
    /// </summary>
    public static decimal PriceWithin(Candle candle, TimeSpan interval, DateTimeOffset marketTime) =>
        StepAt(candle, interval, marketTime) switch
        {
            0 => candle.Open,
            1 => LowFirst(candle, interval) ? candle.Low : candle.High,
            2 => LowFirst(candle, interval) ? candle.High : candle.Low,
            _ => candle.Close,
        };

    /// <summary>The highest and lowest price the path has passed by <paramref name="marketTime"/> (the candle so far).</summary>
    public static (decimal High, decimal Low) ExtremesWithin(Candle candle, TimeSpan interval, DateTimeOffset marketTime)
    {
        var step = StepAt(candle, interval, marketTime);
        decimal high = candle.Open, low = candle.Open;
        if (step >= 1)
        {
            (high, low) = LowFirst(candle, interval) ? (high, Math.Min(low, candle.Low)) : (Math.Max(high, candle.High), low);
        }

        if (step >= 2)
        {
            (high, low) = (Math.Max(high, candle.High), Math.Min(low, candle.Low));
        }

        return step >= 3 ? (Math.Max(high, candle.Close), Math.Min(low, candle.Close)) : (high, low);
    }

    public static TimeSpan ParseTimeframe(string timeframe) => Timeframes.Parse(timeframe);
}
