using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Llm;
using Spectre.Console;

namespace NeuraTrade.Cli;

/// <summary>One arena entrant as <c>--brains</c> names it: <c>rules</c>, <c>llm:PROVIDER/MODEL</c> or <c>replay:CASSETTE</c>.</summary>
internal sealed record ArenaEntrant(string Spec, string Brain, string? Provider, string? Model, string? Cassette)
{
    /// <summary>Parses one <c>--brains</c> item; an LLM entrant records to (and answers first from) <paramref name="cassettes"/>/PROVIDER-MODEL.cassette.jsonl.</summary>
    public static ArenaEntrant Parse(string spec, string cassettes)
    {
        var text = spec.Trim();
        if (text == "rules")
        {
            return new ArenaEntrant(text, "rules", null, null, null);
        }

        if (text.StartsWith("replay:", StringComparison.Ordinal) && text.Length > "replay:".Length)
        {
            return new ArenaEntrant(text, "replay", null, null, text["replay:".Length..]);
        }

        if (text.StartsWith("llm:", StringComparison.Ordinal) && text["llm:".Length..].Split('/', 2) is [var provider, var model]
            && LlmProviders.Normalize(provider) is { } known && known != LlmProviders.Rules && model.Length > 0)
        {
            var file = $"{known}-{string.Concat(model.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_'))}.cassette.jsonl";
            return new ArenaEntrant(text, "llm", known, model, Path.Combine(cassettes, file));
        }

        throw new FormatException($"'{spec}' is not an arena brain: use rules, llm:PROVIDER/MODEL (e.g. llm:openai/gpt-4o-mini) or replay:CASSETTE");
    }
}

/// <summary>
/// <c>neuratrade arena --data FILE[,FILE…] --brains rules,llm:openai/gpt-4o-mini,replay:CASSETTE [--screen on|off|both]
/// [--cassettes DIR] [--profile P] [--from] [--to] [--json OUT] [--html OUT]</c>: every brain trades the same candles
/// through the same engine, risk gate and fills (one backtest each), and one leaderboard compares them after costs, with
/// their calibration and their model bill. An LLM entrant records its calls to a cassette (answering first from it), so
/// the arena re-runs bit for bit at $0 with <c>replay:</c> (docs/backtesting.md, "Arena").
/// </summary>
internal static class ArenaCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Candle CSV file(s), comma-separated, as for backtest.", DefaultValueFactory = _ => Path.Combine("data", "candles", "BTC_USDT-5m.csv") };
        var brains = new Option<string>("--brains") { Description = "Comma-separated: rules, llm:PROVIDER/MODEL, replay:CASSETTE.", DefaultValueFactory = _ => "rules" };
        var screen = new Option<string>("--screen") { Description = "The economy screen in front of the paid brains: on (default), off, or both (each paid brain runs with and without it, and the board shows what it cost).", DefaultValueFactory = _ => "on" };
        screen.AcceptOnlyFromAmong("on", "off", "both");
        var cassettes = new Option<string>("--cassettes") { Description = "Folder of the cassettes llm: entrants record to.", DefaultValueFactory = _ => "arena-cassettes" };
        var symbol = new Option<string?>("--symbol") { Description = "Only these symbols (comma-separated)." };
        var from = new Option<string?>("--from") { Description = "First candle (UTC)." };
        var to = new Option<string?>("--to") { Description = "Last candle (UTC)." };
        var profile = new Option<string>("--profile") { Description = "Scalping limits preset: default, conservative or aggressive.", DefaultValueFactory = _ => ScalpingProfiles.Default };
        profile.AcceptOnlyFromAmong([.. ScalpingProfiles.Names]);
        var json = new Option<string?>("--json") { Description = "Write the leaderboard as JSON to this file." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML page (leaderboard, equity curves, reliability diagrams)." };
        var config = ConfigFiles.Option();
        var command = new Command("arena", "Run several brains over the same candles and rank them after costs, with calibration and LLM cost.") { data, brains, screen, cassettes, symbol, from, to, profile, json, html, config };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var folder = parse.GetValue(cassettes)!;
                var entrants = parse.GetValue(brains)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => ArenaEntrant.Parse(s, folder)).ToList();
                if (entrants.Count == 0 || entrants.Select(e => e.Spec).Distinct(StringComparer.Ordinal).Count() != entrants.Count)
                {
                    throw new FormatException("--brains must name at least one brain, each once");
                }

                var markets = BacktestCommand.LoadMarkets(parse.GetValue(data)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), parse.GetValue(symbol));
                var configuration = BacktestCommand.Configuration(parse.GetValue(config) ?? []);
                var runs = await RunAsync(entrants, markets, parse.GetValue(screen)!, parse.GetValue(profile)!, BacktestCommand.Time(parse.GetValue(from)), BacktestCommand.Time(parse.GetValue(to)), configuration, ct);
                var board = ArenaBoard.Rank(runs);
                Print(board);
                if (parse.GetValue(json) is { } jsonPath)
                {
                    await File.WriteAllTextAsync(jsonPath, Serialize(board, runs), CancellationToken.None);
                    AnsiConsole.MarkupLine($"JSON: [bold]{Markup.Escape(jsonPath)}[/]");
                }

                if (parse.GetValue(html) is { } htmlPath)
                {
                    await ArenaHtml.WriteAsync(board, runs, htmlPath, CancellationToken.None);
                    AnsiConsole.MarkupLine($"HTML: [bold]{Markup.Escape(htmlPath)}[/]");
                }

                return 0;
            }
            catch (Exception ex) when (ex is FormatException or IOException or InvalidDataException or InvalidOperationException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"arena: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>One backtest per entrant (paid ones with and/or without the screen), in the order given.</summary>
    internal static async Task<IReadOnlyList<ArenaRun>> RunAsync(IReadOnlyList<ArenaEntrant> entrants, IReadOnlyList<BacktestMarket> markets, string screen, string profile, DateTimeOffset? from, DateTimeOffset? to, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var runs = new List<ArenaRun>();
        foreach (var entrant in entrants)
        {
            if (entrant.Cassette is { } cassette && entrant.Brain == "llm" && Path.GetDirectoryName(Path.GetFullPath(cassette)) is { } dir)
            {
                Directory.CreateDirectory(dir);
            }

            // Unscreened first: a recording then holds every call, and the screened run answers its calls from the cassette.
            var screens = entrant.Brain == "rules" ? [false] : screen switch { "both" => new[] { false, true }, "off" => [false], _ => [true] };
            foreach (var screened in screens)
            {
                var name = screen == "both" && !screened && entrant.Brain != "rules" ? $"{entrant.Spec} (no screen)" : entrant.Spec;
                AnsiConsole.MarkupLine($"arena: running [bold]{Markup.Escape(name)}[/]");
                var overrides = new Dictionary<string, string?> { ["Scalping:Screen"] = screened ? "true" : "false" };
                if (entrant.Provider is not null)
                {
                    overrides["AI:Provider"] = entrant.Provider;
                    overrides["AI:Model"] = entrant.Model;
                }

                var settings = new ConfigurationBuilder().AddConfiguration(configuration).AddInMemoryCollection(overrides).Build();
                var job = new BacktestJob(markets, entrant.Brain, profile, entrant.Cassette, Anonymize: true, from, to, settings) { Baseline = false };
                var (report, recorder) = await BacktestCommand.RunAsync(job, null, cancellationToken);
                recorder?.Dispose();
                runs.Add(new ArenaRun(name, entrant.Spec, screened && entrant.Brain != "rules", report));
                if (report.Metrics.Partial)
                {
                    return runs;
                }
            }
        }

        return runs;
    }

    internal static string Serialize(IReadOnlyList<ArenaRow> board, IReadOnlyList<ArenaRun> runs)
    {
        var m = runs.Count > 0 ? runs[0].Report.Metrics : null;
        var document = new
        {
            schema = ArenaBoard.Schema,
            symbols = m?.Symbols ?? [],
            from = m?.From,
            to = m?.To,
            candles = m?.Candles ?? 0,
            profile = m?.Profile,
            leaderboard = board,
            calibration = runs.Select(r => new { name = r.Name, table = r.Calibration }).ToList(),
        };
        return JsonSerializer.Serialize(document, Json);
    }

    /// <summary>The leaderboard with the entrants as columns in rank order and the figures as rows, so a few entrants fit a terminal.</summary>
    private static void Print(IReadOnlyList<ArenaRow> board)
    {
        var table = new Table().AddColumn("leaderboard");
        foreach (var r in board)
        {
            table.AddColumn(new TableColumn(Markup.Escape(F($"#{r.Rank} {r.Name}"))).RightAligned());
        }

        void Add(string name, Func<ArenaRow, string> value) => table.AddRow([Markup.Escape(name), .. board.Select(r => Markup.Escape(value(r)))]);
        Add("net return (after costs)", r => F($"{r.NetReturnPercent:0.###}%"));
        Add("buy-and-hold", r => F($"{r.BuyAndHoldReturnPercent:0.###}%"));
        Add("Sharpe", r => F($"{r.Sharpe:0.##}"));
        Add("max drawdown", r => F($"{r.MaxDrawdownPercent:0.###}%"));
        Add("trades / win rate", r => F($"{r.Trades} / {r.WinRatePercent:0.#}%"));
        Add("Brier / calibration error", r => $"{Opt(r.BrierScore)} / {Opt(r.CalibrationError)}");
        Add("LLM calls / tokens in, out", r => F($"{r.LlmCalls} / {r.InputTokens}, {r.OutputTokens}"));
        Add("cost / per trade", r => F($"${r.CostUsd:0.####} / {(r.CostPerTradeUsd is { } c ? F($"${c:0.######}") : "n/a")}"));
        Add("screened (not asked)", r => F($"{r.Screened} of {r.Decisions}"));
        if (board.Any(r => r.MissedByScreen is not null))
        {
            Add("screen: missed trades, return, calls saved", r => r.MissedByScreen is { } missed ? F($"{missed}, {r.ScreenReturnDelta:+0.###;-0.###;0} pp, {r.CallsSaved}") : "n/a");
        }

        AnsiConsole.Write(table);
    }

    private static string Opt(decimal? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "n/a";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
