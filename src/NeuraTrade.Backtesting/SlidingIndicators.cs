using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The fast path's screen values: EMA9, EMA21 and ATR14 in doubles, with the snapshot's definitions (seeded with the
/// simple average of the window's first values, then smoothed) over every full window of the last N closed candles,
/// for all candles in O(n). A window's EMA is q^M·seed + Σ k·q^(t−i)·x_i over its last M = N − p values, so moving the
/// window one candle on is a few operations (<see cref="Smooth"/>); every 64 candles the sums are started afresh, so
/// rounding carried from larger past values stays far inside the screen's tolerance even after a price collapse.
/// Values agree with the direct loops to about 1e-12 relative (a test checks every bundled file); the screen allows 1e-9.
/// </summary>
internal sealed class SlidingIndicators
{
    private const int Refresh = 64;

    private SlidingIndicators(double[] emaFast, double[] emaSlow, double[] atr)
    {
        EmaFast = emaFast;
        EmaSlow = emaSlow;
        Atr = atr;
    }

    /// <summary>Indexed by the window's last candle; meaningful from index N − 1 on.</summary>
    public double[] EmaFast { get; }

    public double[] EmaSlow { get; }

    public double[] Atr { get; }

    public static SlidingIndicators Build(double[] close, double[] high, double[] low, int window)
    {
        var trueRange = new double[close.Length];
        for (var i = 1; i < close.Length; i++)
        {
            trueRange[i] = Math.Max(high[i] - low[i], Math.Max(Math.Abs(high[i] - close[i - 1]), Math.Abs(low[i] - close[i - 1])));
        }

        const int fast = MarketSnapshot.FastEmaPeriod, slow = MarketSnapshot.SlowEmaPeriod, atr = MarketSnapshot.AtrPeriod;
        return new SlidingIndicators(
            Smooth(close, window, fast, 2d / (fast + 1)),
            Smooth(close, window, slow, 2d / (slow + 1)),
            Smooth(trueRange, window - 1, atr, 1d / atr));
    }

    /// <summary>
    /// For every t ≥ <paramref name="length"/> − 1: the values v[t − length + 1 .. t] seeded with the mean of their first
    /// <paramref name="period"/>, then e = e + k·(v − e) over the rest (EMA: k = 2/(p+1); Wilder: k = 1/p).
    /// </summary>
    internal static double[] Smooth(double[] v, int length, int period, double k)
    {
        var result = new double[v.Length];
        if (length < period || v.Length < length)
        {
            return result;
        }

        var q = 1d - k;
        var m = length - period;
        var qm = Math.Pow(q, m);
        double seedSum = 0d, tail = 0d;
        for (var t = length - 1; t < v.Length; t++)
        {
            var s = t - length + 1;
            if ((t - length + 1) % Refresh == 0)
            {
                seedSum = 0d;
                for (var i = s; i < s + period; i++)
                {
                    seedSum += v[i];
                }

                tail = 0d;
                for (var i = s + period; i <= t; i++)
                {
                    tail = (q * tail) + (k * v[i]);
                }
            }
            else
            {
                seedSum += v[s + period - 1] - v[s - 1];
                tail = (q * tail) + (k * v[t]) - (k * qm * v[s + period - 1]);
            }

            result[t] = (qm * (seedSum / period)) + tail;
        }

        return result;
    }
}
