namespace NeuraTrade.Core.Markets;

/// <summary>
/// Technical indicators over closed candles, oldest first. Standard textbook definitions, computed in double
/// arithmetic like every TA library (technicalindicators, TA-Lib): they are statistics, not amounts of money, and
/// double keeps them cheap enough to compute for every candle of a backtest. Results agree with the peer library to
/// about 1e-15 relative; <see cref="MarketSnapshot"/> rounds them to 8 decimals. Prices, sizes, PnL and fees derived
/// from them (a stop one ATR below the ask) are decimals from there on.
/// </summary>
public static class Indicators
{
    /// <summary>Exponential moving average, seeded with the simple average of the first <paramref name="period"/> values.</summary>
    public static decimal? Ema(IReadOnlyList<decimal> values, int period) => ToDecimal(EmaOf(Doubles(values), period));

    /// <summary>Average true range with Wilder's smoothing.</summary>
    public static decimal? Atr(IReadOnlyList<Candle> candles, int period)
    {
        var (high, low, close) = Doubles(candles);
        return ToDecimal(AtrOf(high, low, close, period));
    }

    /// <summary>Relative strength index with Wilder's smoothing, 0..100.</summary>
    public static decimal? Rsi(IReadOnlyList<decimal> closes, int period) => ToDecimal(RsiOf(Doubles(closes), period));

    /// <summary><see cref="Ema(IReadOnlyList{decimal}, int)"/> over doubles, unrounded (for callers that converted their prices once).</summary>
    public static double? EmaOf(ReadOnlySpan<double> values, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (values.Length < period)
        {
            return null;
        }

        var ema = 0d;
        for (var i = 0; i < period; i++)
        {
            ema += values[i];
        }

        ema /= period;
        var k = 2d / (period + 1);
        for (var i = period; i < values.Length; i++)
        {
            ema = ((values[i] - ema) * k) + ema;
        }

        return ema;
    }

    /// <summary><see cref="Atr(IReadOnlyList{Candle}, int)"/> over doubles, unrounded.</summary>
    public static double? AtrOf(ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (close.Length < period + 1)
        {
            return null;
        }

        var atr = 0d;
        for (var i = 1; i <= period; i++)
        {
            atr += TrueRange(high[i], low[i], close[i - 1]);
        }

        atr /= period;
        for (var i = period + 1; i < close.Length; i++)
        {
            atr = ((atr * (period - 1)) + TrueRange(high[i], low[i], close[i - 1])) / period;
        }

        return atr;
    }

    /// <summary><see cref="Rsi(IReadOnlyList{decimal}, int)"/> over doubles, unrounded.</summary>
    public static double? RsiOf(ReadOnlySpan<double> closes, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (closes.Length < period + 1)
        {
            return null;
        }

        double gain = 0d, loss = 0d;
        for (var i = 1; i <= period; i++)
        {
            var change = closes[i] - closes[i - 1];
            gain += Math.Max(change, 0d);
            loss += Math.Max(-change, 0d);
        }

        gain /= period;
        loss /= period;
        for (var i = period + 1; i < closes.Length; i++)
        {
            var change = closes[i] - closes[i - 1];
            gain = ((gain * (period - 1)) + Math.Max(change, 0d)) / period;
            loss = ((loss * (period - 1)) + Math.Max(-change, 0d)) / period;
        }

        return loss == 0d ? 100d : 100d - (100d / (1d + (gain / loss)));
    }

    internal static double[] Doubles(IReadOnlyList<decimal> values)
    {
        var result = new double[values.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (double)values[i];
        }

        return result;
    }

    internal static (double[] High, double[] Low, double[] Close) Doubles(IReadOnlyList<Candle> candles)
    {
        double[] high = new double[candles.Count], low = new double[candles.Count], close = new double[candles.Count];
        for (var i = 0; i < candles.Count; i++)
        {
            high[i] = (double)candles[i].High;
            low[i] = (double)candles[i].Low;
            close[i] = (double)candles[i].Close;
        }

        return (high, low, close);
    }

    internal static decimal? ToDecimal(double? value) => value is { } v ? (decimal)v : null;

    private static double TrueRange(double high, double low, double previousClose) =>
        Math.Max(high - low, Math.Max(Math.Abs(high - previousClose), Math.Abs(low - previousClose)));
}
