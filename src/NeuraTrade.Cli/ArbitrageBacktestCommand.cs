using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NeuraTrade.Backtesting;
using NeuraTrade.Backtesting.Arbitrage;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Exchanges.Paper;
using Spectre.Console;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>neuratrade backtest --strategy arbitrage [--data A.csv --data B.csv | --venues FILE.json] [--json OUT] [--html OUT]</c>:
/// the arbitrage over two or more venues' minute files replayed on one clock (<see cref="ArbitrageBacktest"/>). Each file
/// is a venue named by its folder (<c>data/arbitrage/bybit/BTC_USDT-1m.csv</c>: bybit), with its quote bars beside it when
/// there are any; a venue of that name in <c>Arbitrage:Venues</c> gives its fee, slippage and starting value, else the
/// defaults (0.1% taker fee). Without <c>--data</c> the venues of <c>--venues</c> run (a JSON file in the <c>Arbitrage</c>
/// section's shape, its replay folders relative to the file), else the configured venues, else the bundled pair
/// (docs/arbitrage.md).
/// </summary>
internal static class ArbitrageBacktestCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static ArbitrageBacktestReport Run(IReadOnlyList<string> files, string? venuesFile, IConfiguration configuration)
    {
        var options = new ArbitrageOptions();
        configuration.GetSection(ArbitrageOptions.Section).Bind(options);
        if (venuesFile is not null)
        {
            if (files.Count > 0)
            {
                throw new ArgumentException("give --data files or --venues FILE, not both");
            }

            Overlay(options, venuesFile);
        }

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

    public static async Task<int> RunAndReportAsync(IReadOnlyList<string> files, string? venuesFile, IConfiguration configuration, string? jsonPath, string? htmlPath)
    {
        var report = Run(files, venuesFile, configuration);
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
            Add($"inventory {i.Venue}", F($"{i.StartBase} -> {i.EndBase} base (drift {i.BaseDrift}), {i.StartQuote} -> {i.EndQuote:0.########} quote (drift {i.QuoteDrift:0.########})"));
        }

        Add("base drift over all venues", F($"{report.TotalBaseDrift}"));

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
                report.TotalBaseDrift,
                report.Trades,
                report.Held,
                report.Inventory,
            }, Json));
            console.MarkupLine($"JSON: [bold]{Markup.Escape(jsonPath)}[/]");
        }

        if (htmlPath is not null)
        {
            await ArbitrageHtml.WriteAsync(report, htmlPath, CancellationToken.None);
            console.MarkupLine($"HTML: [bold]{Markup.Escape(htmlPath)}[/]");
        }

        return 0;
    }

    /// <summary>
    /// The <c>--venues</c> file over the configured settings: its <c>Venues</c> replace the configured ones (a relative
    /// <c>ReplayDirectory</c> is read from the file's folder), its <c>QuoteRates</c> add to them, and any other key it sets
    /// (<c>MinNetEdgePercent</c>, <c>MaxNotional</c>, …) wins.
    /// </summary>
    internal static void Overlay(ArbitrageOptions options, string venuesFile)
    {
        var path = Path.GetFullPath(venuesFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--venues {venuesFile}: no such file", path);
        }

        IConfigurationRoot file;
        try
        {
            file = new ConfigurationBuilder().AddJsonFile(path, optional: false).Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or JsonException)
        {
            throw new InvalidDataException($"--venues {venuesFile}: not valid JSON ({ex.InnerException?.Message ?? ex.Message})", ex);
        }

        var read = new ArbitrageOptions { Venues = [], QuoteRates = new(StringComparer.OrdinalIgnoreCase) };
        try
        {
            file.Bind(read);
            // The binder drops an array element it cannot convert without a word: bind each venue alone, so a venue with a
            // value of the wrong type is an error that names it instead of a venue that silently vanishes.
            read.Venues = [.. file.GetSection(nameof(ArbitrageOptions.Venues)).GetChildren().Select(v => v.Get<ArbitrageVenueOptions>() ?? new ArbitrageVenueOptions())];
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"--venues {venuesFile}: {ex.Message}", ex);
        }

        if (read.Venues.Length == 0)
        {
            throw new InvalidDataException($"--venues {venuesFile}: no \"Venues\" array (e.g. {{\"Venues\": [{{\"Name\": \"binance\", \"Symbol\": \"BTC/BUSD\", \"ReplayDirectory\": \"binance\", \"TakerFeePercent\": 0.1}}, …]}})");
        }

        var folder = Path.GetDirectoryName(path)!;
        foreach (var v in read.Venues)
        {
            if (string.IsNullOrWhiteSpace(v.ReplayDirectory))
            {
                throw new InvalidDataException($"--venues {venuesFile}: venue '{v.Name}' has no ReplayDirectory (the folder of its BASE_QUOTE-1m.csv)");
            }

            v.ReplayDirectory = Path.GetFullPath(v.ReplayDirectory, folder);
        }

        options.Venues = read.Venues;
        foreach (var (quote, rate) in read.QuoteRates)
        {
            options.QuoteRates[quote] = rate;
        }

        options.MinNetEdgePercent = Set(nameof(ArbitrageOptions.MinNetEdgePercent), read.MinNetEdgePercent, options.MinNetEdgePercent);
        options.SafetyBufferPercent = Set(nameof(ArbitrageOptions.SafetyBufferPercent), read.SafetyBufferPercent, options.SafetyBufferPercent);
        options.MaxNotional = Set(nameof(ArbitrageOptions.MaxNotional), read.MaxNotional, options.MaxNotional);
        options.MinNotional = Set(nameof(ArbitrageOptions.MinNotional), read.MinNotional, options.MinNotional);

        decimal Set(string key, decimal fromFile, decimal configured) =>
            file[key] is null ? configured
            : fromFile >= 0m ? fromFile
            : throw new InvalidDataException($"--venues {venuesFile}: {key} must not be negative");
    }

    private static ArbitrageFeed Feed(string file, string venue, ArbitrageOptions options)
    {
        var configured = options.Venues.FirstOrDefault(v => string.Equals(v.Name, venue, StringComparison.OrdinalIgnoreCase)) ?? new ArbitrageVenueOptions();
        return ArbitrageFeed.Load(file, venue, configured.TakerFeePercent, configured.SlippagePercent, options.RateOf, configured.StartingValue);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
