using System.Globalization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// Bundled real candles replayed as a live market, one series per symbol. The series hold data time only: which
/// instant is shown when is the market clock's business (<see cref="ReplayClock"/> for paper trading, the backtest's
/// clock in a backtest), one clock for every series, so markets recorded over the same days stay together.
/// </summary>
public sealed class CandleReplay
{
    private readonly Dictionary<string, CandleSeries> _series;

    public CandleReplay(IEnumerable<CandleSeries> series)
    {
        _series = series.ToDictionary(s => s.Symbol, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Symbols => _series.Keys;

    public IEnumerable<CandleSeries> Series => _series.Values;

    /// <summary>
    /// Loads every <c>BASE_QUOTE-TIMEFRAME.csv</c> in <paramref name="directory"/>, each market with the price tick the
    /// folder's <c>markets.json</c> states, else the one its data shows (<see cref="MarketTicks"/>).
    /// </summary>
    public static CandleReplay Load(string directory)
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
            if (dash <= 0 || !MarketSymbol.TryNormalize(name[..dash].Replace('_', '/'), out var symbol) || !IsTimeframe(name[(dash + 1)..]))
            {
                continue;
            }

            series.Add(new CandleSeries(symbol, name[(dash + 1)..], CandleCsv.Read(path), ticks.TryGetValue(symbol, out var tick) ? tick : null));
        }

        if (series.Count == 0)
        {
            throw new InvalidDataException($"Replay data folder '{directory}' holds no BASE_QUOTE-TIMEFRAME.csv files.");
        }

        return new CandleReplay(series);
    }

    public bool TryGetSeries(string symbol, out CandleSeries series) => _series.TryGetValue(symbol, out series!);

    public override string ToString() =>
        string.Join(", ", _series.Values.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Symbol} {s.Timeframe} ×{s.Candles.Count}")));

    private static bool IsTimeframe(string text)
    {
        try
        {
            CandleSeries.ParseTimeframe(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
