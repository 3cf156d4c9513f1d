using System.Globalization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// Replays bundled real candles as a live market. Market time is a pure function of wall time:
/// <c>start + (unix time × speed) mod span</c>, so the replay needs no state and a restart resumes where
/// the clock says. At the end of the data it starts again from the beginning.
/// </summary>
public sealed class CandleReplay
{
    private readonly Dictionary<string, CandleSeries> _series;

    public CandleReplay(IEnumerable<CandleSeries> series, double speed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(speed, 0d);
        _series = series.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
        Speed = speed;
    }

    public double Speed { get; }

    public IReadOnlyCollection<string> Symbols => _series.Keys;

    /// <summary>
    /// Loads every <c>BASE_QUOTE-TIMEFRAME.csv</c> in <paramref name="directory"/>, each market with the price tick the
    /// folder's <c>markets.json</c> states, else the one its data shows (<see cref="MarketTicks"/>).
    /// </summary>
    public static CandleReplay Load(string directory, double speed)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Replay data folder '{directory}' does not exist (setting Exchange:ReplayDirectory).");
        }

        var ticks = MarketTicks.Load(directory);
        var series = new List<CandleSeries>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.csv").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var dash = name.LastIndexOf('-');
            if (dash <= 0 || !MarketSymbol.TryNormalize(name[..dash].Replace('_', '/'), out var symbol))
            {
                continue;
            }

            series.Add(new CandleSeries(symbol, name[(dash + 1)..], CandleCsv.Read(path), ticks.TryGetValue(symbol, out var tick) ? tick : null));
        }

        if (series.Count == 0)
        {
            throw new InvalidDataException($"Replay data folder '{directory}' holds no BASE_QUOTE-TIMEFRAME.csv files.");
        }

        return new CandleReplay(series, speed);
    }

    public bool TryGetSeries(string symbol, out CandleSeries series) => _series.TryGetValue(symbol, out series!);

    /// <summary>The market time the replay shows for <paramref name="series"/> at wall time <paramref name="now"/>.</summary>
    public DateTimeOffset MarketTime(CandleSeries series, DateTimeOffset now)
    {
        var spanMs = (decimal)(series.End - series.Start).TotalMilliseconds;
        var replayedMs = (decimal)now.ToUnixTimeMilliseconds() * (decimal)Speed;
        var offset = replayedMs % spanMs;
        return series.Start.AddMilliseconds((double)offset);
    }

    public override string ToString() =>
        string.Join(", ", _series.Values.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Symbol} {s.Timeframe} ×{s.Candles.Count}")));
}
