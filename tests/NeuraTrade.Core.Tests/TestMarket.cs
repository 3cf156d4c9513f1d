using CsCheck;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Tests;

/// <summary>Small builders for synthetic candles and tickers, and the path of the bundled real candles.</summary>
internal static class TestMarket
{
    public static readonly DateTimeOffset T0 = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    public static string CandleFolder => Path.Combine(AppContext.BaseDirectory, "data", "candles");

    /// <summary>The markets the bundled files name (BASE_QUOTE-5m.csv), in ordinal order.</summary>
    public static IReadOnlyList<string> BundledSymbols => Directory.EnumerateFiles(CandleFolder, "*.csv")
        .Select(f => Path.GetFileNameWithoutExtension(f).Split('-')[0].Replace('_', '/'))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static string CandleFile(string name) => Path.Combine(CandleFolder, name);

    /// <summary>
    /// A straight-line trend of 5m candles: each opens at the previous close and moves by <paramref name="step"/>,
    /// with wicks of <paramref name="wick"/> beyond the body.
    /// </summary>
    public static List<Candle> Trend(int count, decimal start, decimal step, decimal wick = 0.1m)
    {
        var candles = new List<Candle>(count);
        var open = start;
        for (var i = 0; i < count; i++)
        {
            var close = open + step;
            candles.Add(new Candle(T0.AddMinutes(5 * i), open, Math.Max(open, close) + wick, Math.Min(open, close) - wick, close, 10m));
            open = close;
        }

        return candles;
    }

    /// <summary>A ticker centred on <paramref name="mid"/> with the given bid/ask spread (percent of mid).</summary>
    public static Ticker TickerAround(decimal mid, decimal spreadPercent, string symbol = "BTC/USDT")
    {
        var half = mid * spreadPercent / 200m;
        return new Ticker(symbol, T0, mid - half, mid + half, mid, mid * 1.01m, mid * 0.99m, 1000m);
    }
}

/// <summary>Generators built on integers: uniform decimals with a fixed number of places.</summary>
internal static class Gens
{
    /// <summary>A decimal in [<paramref name="min"/>, <paramref name="max"/>] with <paramref name="places"/> decimal places.</summary>
    public static Gen<decimal> Decimal(decimal min, decimal max, int places = 8)
    {
        var factor = 1m;
        for (var i = 0; i < places; i++)
        {
            factor *= 10m;
        }

        return Gen.Long[(long)(min * factor), (long)(max * factor)].Select(units => units / factor);
    }
}
