using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NeuraTrade.Backtesting.Arbitrage;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Exchanges.Paper;
using Spectre.Console;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>neuratrade backtest --strategy arbitrage [--data A.csv --data B.csv] [--json OUT]</c>: the arbitrage over two or more
/// venues' minute files replayed on one clock (<see cref="ArbitrageBacktest"/>). Each file is a venue named by its folder
/// (<c>data/arbitrage/bybit/BTC_USDT-1m.csv</c>: bybit), with its quote bars beside it when there are any; a venue of that
/// name in <c>Arbitrage:Venues</c> gives its fee, slippage and starting value, else the defaults (0.1% taker fee). Without
/// <c>--data</c> the configured venues run, or the bundled pair (docs/arbitrage.md).
/// </summary>
internal static class ArbitrageBacktestCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static ArbitrageBacktestReport Run(IReadOnlyList<string> files, IConfiguration configuration)
    {
        var options = new ArbitrageOptions();
        configuration.GetSection(ArbitrageOptions.Section).Bind(options);
        if (options.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var book = new PaperExchangeOptions();
        configuration.GetSection(PaperExchangeOptions.Section).Bind(book);
        var feeds = files.Count > 0
            ? files.Select(f => Feed(f, ArbitrageFeed.VenueOf(f), options)).ToList()
            : options.EffectiveVenues.Select(v => Feed(Path.Combine(v.ReplayDirectory ?? throw new InvalidOperationException($"venue {v.Name} has no ReplayDirectory to backtest"), v.Symbol.Replace('/', '_') + "-1m.csv"), v.Name, options)).ToList();
        if (feeds.Select(f => f.Venue).Distinct(StringComparer.OrdinalIgnoreCase).Count() != feeds.Count)
        {
            throw new InvalidOperationException("two --data files name the same venue (the folder a file lies in is its venue)");
        }

        return ArbitrageBacktest.Run(feeds, options, book);
    }

    public static async Task<int> RunAndReportAsync(IReadOnlyList<string> files, IConfiguration configuration, string? jsonPath)
    {
        var report = Run(files, configuration);
        var console = AnsiConsole.Console;
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        void Add(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Add("strategy", "arbitrage");
        Add("venues", string.Join(", ", report.Inventory.Select(i => $"{i.Venue} {i.Symbol}")));
        Add("minutes scanned", F($"{report.MinutesScanned}"));
        Add("best net edge seen", report.BestNetEdgeAt is { } at ? F($"{report.BestNetEdgePercent:0.####}% at {at:yyyy-MM-dd HH:mm} ({report.BestNetEdgePair}); threshold {report.MinNetEdgePercent}%") : "none");
        Add("trades", F($"{report.Trades.Count}"));
        Add("held by inventory / minimum order", F($"{report.Held.Count}"));
        Add("profit (reference currency)", F($"{report.Profit:0.########} (expected {report.ExpectedProfit:0.########})"));
        Add("fees", F($"{report.Fees:0.########}"));
        foreach (var i in report.Inventory)
        {
            Add($"inventory {i.Venue}", F($"{i.StartBase} -> {i.EndBase} base (drift {i.BaseDrift}), {i.StartQuote} -> {i.EndQuote:0.########} quote"));
        }

        console.Write(table);
        if (jsonPath is not null)
        {
            await File.WriteAllTextAsync(jsonPath, JsonSerializer.Serialize(new
            {
                strategy = "arbitrage",
                report.MinutesScanned,
                report.BestNetEdgePercent,
                report.BestNetEdgeAt,
                report.BestNetEdgePair,
                report.MinNetEdgePercent,
                report.Profit,
                report.ExpectedProfit,
                report.Fees,
                report.Trades,
                report.Held,
                report.Inventory,
            }, Json));
            console.MarkupLine($"JSON: [bold]{Markup.Escape(jsonPath)}[/]");
        }

        return 0;
    }

    private static ArbitrageFeed Feed(string file, string venue, ArbitrageOptions options)
    {
        var configured = options.Venues.FirstOrDefault(v => string.Equals(v.Name, venue, StringComparison.OrdinalIgnoreCase)) ?? new ArbitrageVenueOptions();
        return ArbitrageFeed.Load(file, venue, configured.TakerFeePercent, configured.SlippagePercent, options.RateOf, configured.StartingValue);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
