namespace NeuraTrade.Core.Markets;

/// <summary>Candle timeframes as ccxt writes them (<c>1m</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>).</summary>
public static class Timeframes
{
    /// <summary>What the brain reads on a live feed when <c>AI:Timeframe</c> is not set: the venue's shortest candle.</summary>
    public const string LiveDefault = "1m";

    public static TimeSpan Parse(string timeframe)
    {
        if (timeframe.Length >= 2 && int.TryParse(timeframe[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
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

    public static bool IsValid(string? timeframe)
    {
        if (string.IsNullOrWhiteSpace(timeframe))
        {
            return false;
        }

        try
        {
            Parse(timeframe);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// The longest of <paramref name="timeframes"/>: the one timeframe every series can serve when the others divide it
    /// (a 5m candle is made of five 1m ones, not the other way round). Null when there is none.
    /// </summary>
    public static string? Coarsest(IEnumerable<string> timeframes) =>
        timeframes.Distinct(StringComparer.Ordinal).OrderByDescending(Parse).FirstOrDefault();
}
