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
    public static decimal? Ema(IReadOnlyList<decimal> values, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (values.Count < period)
        {
            return null;
        }

        var ema = 0d;
        for (var i = 0; i < period; i++)
        {
            ema += (double)values[i];
        }

        ema /= period;
        var k = 2d / (period + 1);
        for (var i = period; i < values.Count; i++)
        {
            ema = (((double)values[i] - ema) * k) + ema;
        }

        return (decimal)ema;
    }

    /// <summary>Average true range with Wilder's smoothing.</summary>
    public static decimal? Atr(IReadOnlyList<Candle> candles, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (candles.Count < period + 1)
        {
            return null;
        }

        var atr = 0d;
        for (var i = 1; i <= period; i++)
        {
            atr += TrueRange(candles[i], candles[i - 1].Close);
        }

        atr /= period;
        for (var i = period + 1; i < candles.Count; i++)
        {
            atr = ((atr * (period - 1)) + TrueRange(candles[i], candles[i - 1].Close)) / period;
        }

        return (decimal)atr;
    }

    /// <summary>Relative strength index with Wilder's smoothing, 0..100.</summary>
    public static decimal? Rsi(IReadOnlyList<decimal> closes, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (closes.Count < period + 1)
        {
            return null;
        }

        double gain = 0d, loss = 0d;
        for (var i = 1; i <= period; i++)
        {
            var change = (double)closes[i] - (double)closes[i - 1];
            gain += Math.Max(change, 0d);
            loss += Math.Max(-change, 0d);
        }

        gain /= period;
        loss /= period;
        for (var i = period + 1; i < closes.Count; i++)
        {
            var change = (double)closes[i] - (double)closes[i - 1];
            gain = ((gain * (period - 1)) + Math.Max(change, 0d)) / period;
            loss = ((loss * (period - 1)) + Math.Max(-change, 0d)) / period;
        }

        if (loss == 0d)
        {
            return 100m;
        }

        return (decimal)(100d - (100d / (1d + (gain / loss))));
    }

    private static double TrueRange(Candle candle, decimal previousClose)
    {
        double high = (double)candle.High, low = (double)candle.Low, previous = (double)previousClose;
        return Math.Max(high - low, Math.Max(Math.Abs(high - previous), Math.Abs(low - previous)));
    }
}
