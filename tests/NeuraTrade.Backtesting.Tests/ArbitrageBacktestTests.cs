using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NeuraTrade.Backtesting.Arbitrage;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Exchanges.Paper;
using Xunit.Abstractions;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The honest answer on the bundled day (Binance BTC/BUSD against Bybit BTC/USDT, 2022-12-13): with 0.1% taker fees nothing
/// is worth trading and the backtest says so with the best net edge it saw; with 0.02% fees it trades exactly the minutes
/// whose net edge clears the threshold. The expected minutes and edges are recomputed here from the two CSV files with plain
/// arithmetic, independent of the product's finder and book model: Binance's bid/ask one tick (0.01) around the close,
/// Bybit's real bid/ask close where its quote file has the minute, else one tick around the close.
/// </summary>
public sealed class ArbitrageBacktestTests(ITestOutputHelper output)
{
    private static readonly string Binance = Path.Combine(AppContext.BaseDirectory, "data", "arbitrage", "binance", "BTC_BUSD-1m.csv");
    private static readonly string Bybit = Path.Combine(AppContext.BaseDirectory, "data", "arbitrage", "bybit", "BTC_USDT-1m.csv");

    private static ArbitrageBacktestReport Run(decimal feePercent, decimal startingValue, decimal minNotional = 5m)
    {
        var options = new ArbitrageOptions { MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0.01m, MaxNotional = 100m, MinNotional = minNotional };
        options.QuoteRates["BUSD"] = 1m;
        options.QuoteRates["USDT"] = 1m;
        var feeds = new[]
        {
            ArbitrageFeed.Load(Binance, "binance", feePercent, 0m, options.RateOf, startingValue),
            ArbitrageFeed.Load(Bybit, "bybit", feePercent, 0m, options.RateOf, startingValue),
        };
        return ArbitrageBacktest.Run(feeds, options, new PaperExchangeOptions());
    }

    [Fact]
    public void With_taker_fees_of_0_1_percent_nothing_is_worth_trading_and_the_best_net_edge_is_reported()
    {
        var report = Run(0.1m, 1_000m);
        var minutes = Independent.Minutes(0.1m);
        var best = minutes.MaxBy(m => m.BestEdge)!;
        output.WriteLine($"best net edge {best.BestEdge}% at {best.Time:HH:mm} ({best.Direction})");

        Assert.Empty(report.Trades);
        Assert.Empty(report.Held);
        Assert.Equal(1_440, report.MinutesScanned);
        Assert.Equal(minutes.Count, report.MinutesScanned);
        // The close difference peaks at +18.3 bp: after 2 × 0.1% fees and the 0.01% buffer the best minute still loses.
        Assert.True(report.BestNetEdgePercent < 0m);
        Assert.Equal(best.BestEdge, report.BestNetEdgePercent, 6);
        Assert.Equal(best.Time.AddMinutes(1), report.BestNetEdgeAt);
        Assert.Equal(best.Direction, report.BestNetEdgePair);
    }

    [Fact]
    public void With_taker_fees_of_0_02_percent_it_trades_exactly_the_minutes_whose_net_edge_clears_the_threshold()
    {
        // Inventory too large to bind: every minute that clears trades.
        var report = Run(0.02m, 10_000_000m);
        var expected = Independent.Minutes(0.02m).Where(m => m.BestEdge >= 0.02m).ToList();

        // awk over the two files, with the same quotes and fees, counts 93 minutes whose net edge clears 0.02%.
        Assert.Equal(93, expected.Count);
        Assert.Equal(expected.Select(m => (m.Time.AddMinutes(1), m.Direction)), report.Trades.Select(t => (t.Time, $"buy {t.BuyVenue}, sell {t.SellVenue}")));
        foreach (var (trade, minute) in report.Trades.Zip(expected))
        {
            // Priced on the modelled quotes: never better than the top of the book the files give.
            Assert.True(trade.BuyPrice >= minute.Ask(trade.BuyVenue), $"{trade.Time:HH:mm} buy {trade.BuyPrice} below the ask {minute.Ask(trade.BuyVenue)}");
            Assert.True(trade.SellPrice <= minute.Bid(trade.SellVenue), $"{trade.Time:HH:mm} sell {trade.SellPrice} above the bid {minute.Bid(trade.SellVenue)}");
            Assert.True(trade.ExpectedNetEdgePercent >= 0.02m);
            Assert.True(trade.Profit > 0m);
            // The fills' fees are rounded to 8 decimals per leg: within a few 1e-8 of what the scan expected.
            Assert.InRange(trade.Profit - trade.ExpectedProfit, -0.0000001m, 0.0000001m);
        }

        // Bybit's real bid/ask where its quote file has the minute (before 12:00): a buy there pays the real ask close.
        var withQuotes = report.Trades.Zip(expected).Where(p => p.First.BuyVenue == "bybit" && p.Second.BybitQuoted).ToList();
        Assert.NotEmpty(withQuotes);
        Assert.Contains(withQuotes, p => p.First.BuyPrice == p.Second.BybitAsk && p.Second.BybitAsk != p.Second.BybitClose + 0.005m);
    }

    [Fact]
    public void The_starting_inventory_of_each_venue_bounds_what_is_traded()
    {
        // The default: 1,000 per venue, half in BTC and half in quote. Binance runs out of BTC to sell.
        var report = Run(0.02m, 1_000m);
        var cleared = Independent.Minutes(0.02m).Where(m => m.BestEdge >= 0.02m).Select(m => m.Time.AddMinutes(1)).ToHashSet();

        Assert.NotEmpty(report.Trades);
        Assert.True(report.Trades.Count < cleared.Count);
        Assert.All(report.Trades, t => Assert.Contains(t.Time, cleared));
        // Every minute that cleared but did not trade is held, and says which holding stopped it.
        Assert.Equal(cleared.Order(), report.Trades.Select(t => t.Time).Concat(report.Held.Select(h => h.Time)).Order());
        Assert.All(report.Held, h => Assert.Contains("limited by the BTC binance holds", h.Reason, StringComparison.Ordinal));
        var binance = Assert.Single(report.Inventory, i => i.Venue == "binance");
        var bybit = Assert.Single(report.Inventory, i => i.Venue == "bybit");
        Assert.Equal(binance.StartBase, report.Trades.Where(t => t.SellVenue == "binance").Sum(t => t.Amount) - report.Trades.Where(t => t.BuyVenue == "binance").Sum(t => t.Amount));
        Assert.Equal(0m, binance.EndBase);
        Assert.Equal(-binance.BaseDrift, bybit.BaseDrift);
        Assert.True(bybit.EndQuote >= 0m);
    }

    [Fact]
    public async Task The_command_replays_two_data_files_on_one_clock_and_reports_zero_trades_at_real_fees()
    {
        var dir = Directory.CreateTempSubdirectory("nt-arb-");
        try
        {
            var json = Path.Combine(dir.FullName, "arbitrage.json");
            var start = new ProcessStartInfo(CtrlCTests.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.FullName };
            foreach (var a in (string[])[CtrlCTests.CliDll(), "backtest", "--strategy", "arbitrage", "--data", Binance, "--data", Bybit, "--json", json])
            {
                start.ArgumentList.Add(a);
            }

            using var cli = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var stdout = cli.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = cli.StandardError.ReadToEndAsync(timeout.Token);
            await cli.WaitForExitAsync(timeout.Token);
            Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}\nstdout:\n{await stdout}\nstderr:\n{await stderr}");

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = document.RootElement;
            var best = Independent.Minutes(0.1m).Max(m => m.BestEdge);
            Assert.Equal("arbitrage", root.GetProperty("strategy").GetString());
            Assert.Equal(1_440, root.GetProperty("minutes_scanned").GetInt32());
            Assert.Empty(root.GetProperty("trades").EnumerateArray());
            Assert.Equal(best, root.GetProperty("best_net_edge_percent").GetDecimal(), 6);
            Assert.Contains("best net edge seen", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The two files read line by line, and the net edge of each minute in both directions by plain arithmetic.</summary>
    private static class Independent
    {
        public static List<Minute> Minutes(decimal feePercent)
        {
            static Dictionary<long, string[]> Rows(string path) =>
                File.ReadLines(path).Skip(1).Select(l => l.Split(',')).ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture));

            static decimal D(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

            var binance = Rows(Binance);
            var bybit = Rows(Bybit);
            var quotes = Rows(Bybit.Replace("-1m.csv", "-1m-quotes.csv", StringComparison.Ordinal));
            var f = feePercent / 100m;
            var minutes = new List<Minute>();
            foreach (var (ms, row) in binance.OrderBy(kv => kv.Key))
            {
                if (!bybit.TryGetValue(ms, out var other))
                {
                    continue;
                }

                var binanceClose = D(row[4]);
                var bybitClose = D(other[4]);
                var quoted = quotes.TryGetValue(ms, out var q);
                // One tick (0.01) wide around the close, or Bybit's real best bid/ask at the bar's close (columns 4 and 9).
                var bybitBid = quoted ? D(q![4]) : bybitClose - 0.005m;
                var bybitAsk = quoted ? D(q![9]) : bybitClose + 0.005m;
                decimal Edge(decimal ask, decimal bid) => ((bid * (1m - f)) - (ask * (1m + f))) / ask * 100m - 0.01m;
                var buyBybit = Edge(bybitAsk, binanceClose - 0.005m);
                var buyBinance = Edge(binanceClose + 0.005m, bybitBid);
                minutes.Add(new Minute(
                    DateTimeOffset.FromUnixTimeMilliseconds(ms), binanceClose, bybitClose, bybitBid, bybitAsk, quoted,
                    Math.Max(buyBybit, buyBinance), buyBybit >= buyBinance ? "buy bybit, sell binance" : "buy binance, sell bybit"));
            }

            return minutes;
        }
    }

    private sealed record Minute(DateTimeOffset Time, decimal BinanceClose, decimal BybitClose, decimal BybitBid, decimal BybitAsk, bool BybitQuoted, decimal BestEdge, string Direction)
    {
        public decimal Ask(string venue) => venue == "binance" ? BinanceClose + 0.005m : BybitAsk;

        public decimal Bid(string venue) => venue == "binance" ? BinanceClose - 0.005m : BybitBid;
    }
}
