using System.Globalization;

namespace NeuraTrade.Core.Markets;

/// <summary>A minute quote bar: the venue's real best bid and ask at the bar's close, with the sizes resting there.</summary>
public sealed record QuoteBar(DateTimeOffset OpenTime, decimal BidClose, decimal BidSize, decimal AskClose, decimal AskSize);

/// <summary>
/// Reads the bundled quote-bar format (<c>BASE_QUOTE-1m-quotes.csv</c>): a header, then
/// <c>timestamp,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size</c>, the timestamp in
/// Unix milliseconds (UTC, bar open time). Only the close of each side is kept: what the market showed when the bar ended.
/// </summary>
public static class QuoteBarCsv
{
    /// <summary>The quote-bar file that goes with candle file <paramref name="candleFile"/> (same folder, <c>-quotes</c> before the extension).</summary>
    public static string BesideCandles(string candleFile) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(candleFile))!, Path.GetFileNameWithoutExtension(candleFile) + "-quotes.csv");

    public static IReadOnlyList<QuoteBar> Read(string path)
    {
        var bars = new List<QuoteBar>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || (lineNumber == 1 && line.StartsWith("timestamp", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var f = line.Split(',');
            if (f.Length < 11
                || !long.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms)
                || !TryNumber(f[4], out var bid) || !TryNumber(f[5], out var bidSize)
                || !TryNumber(f[9], out var ask) || !TryNumber(f[10], out var askSize))
            {
                throw new FormatException($"{path}:{lineNumber}: expected timestamp,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size but found '{line}'");
            }

            bars.Add(new QuoteBar(DateTimeOffset.FromUnixTimeMilliseconds(ms), bid, bidSize, ask, askSize));
        }

        return bars;
    }

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
