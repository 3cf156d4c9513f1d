namespace NeuraTrade.Core.Markets;

/// <summary>Technical indicators over closed candles, oldest first. Standard textbook definitions.</summary>
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

        decimal ema = 0m;
        for (var i = 0; i < period; i++)
        {
            ema += values[i];
        }

        ema /= period;
        var k = 2m / (period + 1);
        for (var i = period; i < values.Count; i++)
        {
            ema = ((values[i] - ema) * k) + ema;
        }

        return ema;
    }

    /// <summary>Average true range with Wilder's smoothing.</summary>
    public static decimal? Atr(IReadOnlyList<Candle> candles, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (candles.Count < period + 1)
        {
            return null;
        }

        decimal atr = 0m;
        for (var i = 1; i <= period; i++)
        {
            atr += TrueRange(candles[i], candles[i - 1].Close);
        }

        atr /= period;
        for (var i = period + 1; i < candles.Count; i++)
        {
            atr = ((atr * (period - 1)) + TrueRange(candles[i], candles[i - 1].Close)) / period;
        }

        return atr;
    }

    /// <summary>Relative strength index with Wilder's smoothing, 0..100.</summary>
    public static decimal? Rsi(IReadOnlyList<decimal> closes, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        if (closes.Count < period + 1)
        {
            return null;
        }

        decimal gain = 0m, loss = 0m;
        for (var i = 1; i <= period; i++)
        {
            var change = closes[i] - closes[i - 1];
            gain += Math.Max(change, 0m);
            loss += Math.Max(-change, 0m);
        }

        gain /= period;
        loss /= period;
        for (var i = period + 1; i < closes.Count; i++)
        {
            var change = closes[i] - closes[i - 1];
            gain = ((gain * (period - 1)) + Math.Max(change, 0m)) / period;
            loss = ((loss * (period - 1)) + Math.Max(-change, 0m)) / period;
        }

        if (loss == 0m)
        {
            return 100m;
        }

        return 100m - (100m / (1m + (gain / loss)));
    }

    private static decimal TrueRange(Candle candle, decimal previousClose) =>
        Math.Max(candle.High - candle.Low, Math.Max(Math.Abs(candle.High - previousClose), Math.Abs(candle.Low - previousClose)));
}
