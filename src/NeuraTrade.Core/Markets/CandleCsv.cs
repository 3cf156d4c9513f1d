using System.Globalization;

namespace NeuraTrade.Core.Markets;

/// <summary>
/// Reads the bundled candle format: a header, then <c>timestamp,open,high,low,close,volume</c> with the
/// timestamp in Unix milliseconds (UTC, candle open time); numbers may use exponent notation.
/// </summary>
public static class CandleCsv
{
    public static IReadOnlyList<Candle> Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    public static IReadOnlyList<Candle> Read(TextReader reader, string source)
    {
        var candles = new List<Candle>();
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("timestamp", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var f = line.Split(',');
            if (f.Length < 6
                || !long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                || !TryNumber(f[1], out var open) || !TryNumber(f[2], out var high) || !TryNumber(f[3], out var low)
                || !TryNumber(f[4], out var close) || !TryNumber(f[5], out var volume))
            {
                throw new FormatException($"{source}:{lineNumber}: expected timestamp,open,high,low,close,volume but found '{line}'");
            }

            var candle = new Candle(DateTimeOffset.FromUnixTimeMilliseconds(ms), open, high, low, close, volume);
            if (candles.Count > 0 && candle.OpenTime <= candles[^1].OpenTime)
            {
                throw new FormatException($"{source}:{lineNumber}: timestamps must increase");
            }

            candles.Add(candle);
        }

        return candles;
    }

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
