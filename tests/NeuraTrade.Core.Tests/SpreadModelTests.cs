using System.Globalization;
using NeuraTrade.Exchanges.Paper;
using Xunit.Abstractions;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The replay's modelled spread against real ones: Coinbase's best bid/ask minute bars (data/coinbase/*-1m-quotes.csv)
/// over the same two days as the trade bars the replay quotes from. The figures are in docs/exchanges.md.
/// </summary>
public sealed class SpreadModelTests(ITestOutputHelper output)
{
    private static string Coinbase => Path.Combine(AppContext.BaseDirectory, "data", "coinbase");

    [Theory]
    [InlineData("BTC/USD")]
    [InlineData("ETH/USD")]
    [InlineData("LTC/USD")]
    public void The_modelled_median_spread_is_within_a_factor_of_2_of_the_real_median(string symbol)
    {
        // The product's replay of the trade bars (ticks from data/coinbase/markets.json), quoted at twelve instants a
        // minute: each quarter step of the path and the backtest's exit checks.
        Assert.True(CandleReplay.Load(Coinbase).TryGetSeries(symbol, out var series));
        var options = new PaperExchangeOptions();
        var modelled = new List<decimal>(series.Candles.Count * 12);
        for (var i = 0; i < series.Candles.Count; i++)
        {
            for (var k = 0; k < 12; k++)
            {
                var ticker = ReplayMarketData.Quote(series, i, series.Candles[i].OpenTime + (series.Interval * k / 12), options);
                modelled.Add(ticker.SpreadPercent);
            }
        }

        var real = RealSpreads(Path.Combine(Coinbase, $"{symbol.Replace('/', '_')}-1m-quotes.csv"));
        var (modelMedian, realMedian) = (Quantile(modelled, 0.5), Quantile(real, 0.5));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {symbol} | {modelMedian:0.00000}% | {Quantile(modelled, 0.9):0.00000}% | {Mean(modelled):0.00000}% | {realMedian:0.00000}% | {Quantile(real, 0.9):0.00000}% | {Mean(real):0.00000}% | {modelled.Count:N0} / {real.Count:N0} |"));

        Assert.True(real.Count > 5_000, $"{real.Count} real spreads read");
        Assert.InRange(modelMedian, realMedian / 2m, realMedian * 2m);
    }

    /// <summary>The real spread, percent of the mid, at each minute's open and close: (ask − bid) / ((ask + bid) / 2) × 100.</summary>
    private static List<decimal> RealSpreads(string path)
    {
        var spreads = new List<decimal>();
        var header = true;
        foreach (var line in File.ReadLines(path))
        {
            if (header)
            {
                // timestamp,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open,ask_high,ask_low,ask_close,ask_size
                Assert.StartsWith("timestamp,bid_open,bid_high,bid_low,bid_close,bid_size,ask_open", line, StringComparison.Ordinal);
                header = false;
                continue;
            }

            var f = line.Split(',');
            spreads.Add(Spread(Number(f[1]), Number(f[6])));
            spreads.Add(Spread(Number(f[4]), Number(f[9])));
        }

        return spreads;

        static decimal Spread(decimal bid, decimal ask) => (ask - bid) / ((ask + bid) / 2m) * 100m;

        static decimal Number(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>Nearest rank: the smallest value with at least <paramref name="p"/> of all at or below it.</summary>
    private static decimal Quantile(List<decimal> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static decimal Mean(List<decimal> values) => values.Sum() / values.Count;
}
