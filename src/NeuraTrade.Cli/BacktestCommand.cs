using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.Functions.Settings;
using NeuraTrade.Llm;
using NeuraTrade.Llm.Cassettes;
using Spectre.Console;

namespace NeuraTrade.Cli;

/// <summary>What one backtest run needs, as the command line and settings give it.</summary>
internal sealed record BacktestJob(
    IReadOnlyList<BacktestMarket> Markets,
    string Brain,
    string Profile,
    string? Cassette,
    bool Anonymize,
    DateTimeOffset? From,
    DateTimeOffset? To,
    IConfiguration Configuration)
{
    /// <summary><see cref="BacktestEngines"/>: <c>auto</c> (the fast path where it runs, else the full engine), <c>full</c> or <c>fast</c>.</summary>
    public string Engine { get; init; } = BacktestEngines.Auto;

    /// <summary>Whether an LLM brain's run also runs the rules brain over the same span for the report's baseline (the arena runs it as an entrant instead).</summary>
    public bool Baseline { get; init; } = true;
}

/// <summary>
/// <c>neuratrade backtest --data FILE[,FILE…] [--symbol S] [--from] [--to] [--brain rules|llm|replay] [--cassette FILE]
/// [--profile P] [--json OUT] [--html OUT] [--no-anonymize]</c>: the live scalping engine, risk gate, exits and PnL over
/// candle files, with the paper exchange's fills, fees and slippage (docs/backtesting.md). Ctrl-C stops between
/// candles and still writes the (partial) report.
/// </summary>
internal static class BacktestCommand
{
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "Candle CSV file(s), comma-separated or --data repeated, named BASE_QUOTE-TIMEFRAME.csv (data/README.md); with --strategy arbitrage one file per venue." };
        var strategy = new Option<string>("--strategy") { Description = "scalping (default) or arbitrage (two or more venues on one clock: docs/arbitrage.md).", DefaultValueFactory = _ => "scalping" };
        strategy.AcceptOnlyFromAmong("scalping", "arbitrage");
        var symbol = new Option<string?>("--symbol") { Description = "Only these symbols (comma-separated), or the symbol of a single file whose name does not say it." };
        var from = new Option<string?>("--from") { Description = "First candle (UTC), e.g. 2023-01-10 or 2023-01-10T12:00." };
        var to = new Option<string?>("--to") { Description = "Last candle (UTC)." };
        var brain = new Option<string>("--brain") { Description = "rules (no LLM), llm (calls AI:Provider and records a cassette) or replay (answers from --cassette only).", DefaultValueFactory = _ => "rules" };
        brain.AcceptOnlyFromAmong("rules", "llm", "replay");
        var cassette = new Option<string?>("--cassette") { Description = "Cassette file: recorded to with --brain llm (default backtest.cassette.jsonl), replayed with --brain replay." };
        var profile = new Option<string>("--profile") { Description = "Scalping limits preset: default, conservative or aggressive.", DefaultValueFactory = _ => ScalpingProfiles.Default };
        profile.AcceptOnlyFromAmong([.. ScalpingProfiles.Names]);
        var json = new Option<string?>("--json") { Description = "Write metrics and trades as JSON to this file." };
        var html = new Option<string?>("--html") { Description = "Write a self-contained HTML report to this file." };
        var venues = new Option<string?>("--venues") { Description = "With --strategy arbitrage: a JSON file of venues (the Arbitrage section's shape: Venues with Name, Symbol, ReplayDirectory, TakerFeePercent…) instead of --data (docs/arbitrage.md)." };
        var plain = new Option<bool>("--no-anonymize") { Description = "Show the LLM real symbols, dates and prices (default: anonymized)." };
        var engine = new Option<string>("--engine") { Description = "auto (default), full (the live engine candle by candle) or fast (rules brain only; proven identical to full).", DefaultValueFactory = _ => "auto" };
        engine.AcceptOnlyFromAmong([.. BacktestEngines.Names]);

        var config = ConfigFiles.Option();
        var command = new Command("backtest", "Run the scalping engine over historical candles and report honest numbers.") { data, strategy, symbol, from, to, brain, cassette, profile, json, html, plain, engine, config, venues };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var files = (parse.GetValue(data) ?? []).SelectMany(d => d.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                if (parse.GetValue(strategy) == "arbitrage")
                {
                    return await ArbitrageBacktestCommand.RunAndReportAsync(files, parse.GetValue(venues), Configuration(parse.GetValue(config) ?? []), parse.GetValue(json), parse.GetValue(html));
                }

                if (parse.GetValue(venues) is not null)
                {
                    throw new ArgumentException("--venues is for --strategy arbitrage");
                }

                var markets = LoadMarkets(files.Count > 0 ? files : [Path.Combine("data", "candles", "BTC_USDT-5m.csv")], parse.GetValue(symbol));
                var job = new BacktestJob(markets, parse.GetValue(brain)!, parse.GetValue(profile)!, parse.GetValue(cassette), !parse.GetValue(plain),
                    Time(parse.GetValue(from)), Time(parse.GetValue(to)), Configuration(parse.GetValue(config) ?? []))
                { Engine = parse.GetValue(engine)! };
                // Ctrl-C / SIGTERM stop the run between two candles; the partial report is still printed and written.
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
                using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
                using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
                return await RunAndReportAsync(job, parse.GetValue(json), parse.GetValue(html), stop.Token);

                void Stop(PosixSignalContext context)
                {
                    context.Cancel = true;
                    stop.Cancel();
                }
            }
            catch (Exception ex) when (ex is FormatException or IOException or InvalidDataException or InvalidOperationException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"backtest: {ex.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>
    /// Reads candle files; the symbol and timeframe come from the name <c>BASE_QUOTE-TIMEFRAME.csv</c>, the price tick from
    /// the <c>markets.json</c> beside the file (<see cref="MarketTicks"/>).
    /// </summary>
    internal static IReadOnlyList<BacktestMarket> LoadMarkets(IReadOnlyList<string> files, string? symbols)
    {
        var wanted = symbols?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => MarketSymbol.TryNormalize(s, out var n) ? n : throw new FormatException($"'{s}' is not a symbol like BTC/USDT")).ToList();
        var markets = new List<BacktestMarket>();
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var dash = name.LastIndexOf('-');
            var named = dash > 0 && MarketSymbol.TryNormalize(name[..dash].Replace('_', '/'), out var s) ? s : null;
            var symbol = named ?? (files.Count == 1 && wanted is [var only] ? only : throw new FormatException($"'{file}': name it BASE_QUOTE-TIMEFRAME.csv or give --symbol"));
            if (wanted is not null && named is not null && !wanted.Contains(named))
            {
                continue;
            }

            var ticks = MarketTicks.Load(Path.GetDirectoryName(Path.GetFullPath(file))!);
            markets.Add(new BacktestMarket(symbol, dash > 0 ? name[(dash + 1)..] : "5m", CandleCsv.Read(file)) { Source = file, TickSize = ticks.TryGetValue(symbol, out var tick) ? tick : null });
        }

        return markets.Count > 0 ? markets : throw new InvalidOperationException("no market left to backtest (check --data and --symbol)");
    }

    internal static BacktestSettings Settings(BacktestJob job, PaperExchangeOptions exchange)
    {
        var quotes = job.Markets.Select(m => MarketSymbol.Quote(m.Symbol)).Distinct().ToList();
        var timeframes = job.Markets.Select(m => m.Timeframe).Distinct().ToList();
        if (quotes.Count != 1 || timeframes.Count != 1)
        {
            throw new InvalidOperationException("all markets of one backtest must share the quote currency and the timeframe");
        }

        if (!string.Equals(quotes[0], exchange.QuoteCurrency, StringComparison.OrdinalIgnoreCase))
        {
            // The limits and the starting balance are amounts of Exchange:QuoteCurrency: on these markets they would silently
            // mean as many BTC as they say USDT. The account is funded in the data's quote currency only when asked to.
            throw new InvalidOperationException(
                $"{string.Join(", ", job.Markets.Select(m => m.Symbol).Distinct())} {(job.Markets.Count == 1 ? "is" : "are")} quoted in {quotes[0]}, but the account's currency (Exchange:QuoteCurrency) is {exchange.QuoteCurrency}: "
                + $"set Exchange__QuoteCurrency={quotes[0]} and give the amounts in {quotes[0]} (Exchange__StartingBalance, Exchange__MinNotional, Scalping__MaxPositionSize, Scalping__MinOrderNotional, Scalping__MaxDailyLoss, Scalping__MaxDrawdown)");
        }

        return new BacktestSettings(job.Markets, CandleSeries.ParseTimeframe(timeframes[0]), exchange.StartingBalance, quotes[0], exchange.TakerFeePercent, exchange.SlippagePercent, job.From, job.To);
    }

    /// <summary>Runs <paramref name="job"/> (and, for an LLM brain, the rules baseline over the same span).</summary>
    internal static async Task<(BacktestReport Report, CassetteChatClient? Cassette)> RunAsync(BacktestJob job, IProgress<BacktestProgress>? progress, CancellationToken stopping)
    {
        var exchange = Bind<PaperExchangeOptions>(job.Configuration, PaperExchangeOptions.Section);
        var settings = Settings(job, exchange);
        var brainOptions = Bind<BrainOptions>(job.Configuration, BrainOptions.Section);
        var timeframeSet = !string.IsNullOrWhiteSpace(brainOptions.Timeframe);
        brainOptions.Timeframe = BacktestSessionFactory.DataTimeframe(job.Markets, brainOptions.Timeframe);

        // Before a cassette is opened or a model called: data the brain's timeframe cannot be made from would decide nothing,
        // and a hold shorter than one of its candles would measure the path inside a candle, not the brain.
        if (BacktestMarketData.Unservable(job.Markets, brainOptions.CandleTimeframe) is { } unservable)
        {
            throw new InvalidOperationException(unservable);
        }

        if (HoldHorizon.Refusal(Scalping(job).PositionHoldTime, brainOptions.CandleTimeframe, timeframeSet) is { } refusal)
        {
            throw new InvalidOperationException(refusal);
        }

        var clock = BacktestSessionFactory.ClockFor(settings);
        var ledger = new InMemoryLlmUsageLedger();
        CassetteChatClient? cassette = null;
        ITradingBrain brain;
        switch (job.Brain)
        {
            case "llm":
            {
                if (LlmProviders.Normalize(brainOptions.Provider) is null or LlmProviders.Rules)
                {
                    throw new InvalidOperationException("--brain llm needs an LLM provider: set AI__Provider, AI__Model (and AI__ApiKey / AI__Endpoint)");
                }

                var (vendor, endpoint) = ChatClientFactory.Create(brainOptions);
                var path = job.Cassette ?? "backtest.cassette.jsonl";
                CassetteChatClient.EnsureHeader(path, endpoint);
                cassette = CassetteChatClient.Record(path, vendor);
                brain = BacktestBrains.Llm(cassette, endpoint, brainOptions, clock, ledger, job.Anonymize);
                break;
            }

            case "replay":
            {
                var path = job.Cassette ?? throw new InvalidOperationException("--brain replay needs --cassette FILE");
                var endpoint = CassetteChatClient.ReadEndpoint(path);
                brainOptions.Provider = endpoint.Provider;
                brainOptions.Model = endpoint.Model;
                cassette = CassetteChatClient.Replay(path);
                brain = BacktestBrains.Llm(cassette, endpoint, brainOptions, clock, ledger, job.Anonymize);
                break;
            }

            default:
                brain = new RulesBrain();
                break;
        }

        var run = await RunOnceAsync(settings, brain, job, brainOptions, exchange, ledger, clock, progress, stopping);
        decimal? baseline = null;
        // After Ctrl-C the process has about two seconds left: no baseline run then.
        if (job.Brain != "rules" && job.Baseline && !run.Stopped)
        {
            // The baseline reads the same candles as the brain it is compared with; the rest of its options are the defaults.
            var baselineOptions = new BrainOptions { Timeframe = brainOptions.Timeframe, HistoryCandles = brainOptions.HistoryCandles };
            var rules = await RunOnceAsync(settings with { To = run.Equity.Count > 0 ? run.Equity[^1].At - settings.Interval : settings.To }, new RulesBrain(), job, baselineOptions, Bind<PaperExchangeOptions>(job.Configuration, PaperExchangeOptions.Section), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(settings), null, CancellationToken.None);
            baseline = BacktestReport.Create(rules, job.Profile, null).Metrics.NetReturnPercent;
        }

        var report = BacktestReport.Create(run, job.Profile, baseline);
        return (job.Brain == "rules" ? report with { Metrics = report.Metrics with { RulesBaselineReturnPercent = report.Metrics.NetReturnPercent } } : report, cassette);
    }

    private static Task<BacktestRun> RunOnceAsync(BacktestSettings settings, ITradingBrain brain, BacktestJob job, BrainOptions brainOptions, PaperExchangeOptions exchange, InMemoryLlmUsageLedger ledger, ManualClock clock, IProgress<BacktestProgress>? progress, CancellationToken stopping)
    {
        var session = BacktestSessionFactory.Create(settings, brain, Scalping(job), brainOptions, exchange, ledger, clock);
        return BacktestEngines.RunAsync(job.Engine, session, settings, brainOptions, exchange, progress, stopping);
    }

    /// <summary>The run's scalping settings: the <c>Scalping</c> keys, with <c>--profile</c>'s values over them.</summary>
    private static ScalpingOptions Scalping(BacktestJob job)
    {
        var scalping = new ScalpingOptions();
        ScalpingProfiles.Apply(scalping, job.Profile);
        job.Configuration.GetSection(ScalpingOptions.Section).Bind(scalping);
        ScalpingProfiles.Apply(scalping, job.Profile);
        return scalping;
    }

    private static async Task<int> RunAndReportAsync(BacktestJob job, string? jsonPath, string? htmlPath, CancellationToken stopping)
    {
        var console = AnsiConsole.Console;
        BacktestReport? report = null;
        CassetteChatClient? cassette = null;
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask("backtest");
                (report, cassette) = await RunAsync(job, new BarProgress(task), stopping);
                task.Value = task.MaxValue;
            });

        if (report is null)
        {
            return 1;
        }

        var m = report.Metrics;
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        void Add(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Add("markets", string.Join(", ", m.Symbols));
        Add("span (UTC)", F($"{m.From:yyyy-MM-dd HH:mm} .. {m.To:yyyy-MM-dd HH:mm}, {m.Candles} candles{(m.Partial ? ", STOPPED EARLY (partial)" : string.Empty)}"));
        Add("brain / profile", $"{m.Brain} / {m.Profile}");
        Add("candles (data / brain)", m.BrainTimeframe == m.Timeframe ? m.Timeframe : $"{m.Timeframe} / {m.BrainTimeframe}, made from the {m.Timeframe} data");
        Add("decisions", m.Screened > 0 ? F($"{m.Decisions} ({m.Screened} not asked: no target could clear its costs)") : F($"{m.Decisions}"));
        if (m.WhyNoDecisions is { } why)
        {
            Add("why no decisions", why);
        }

        Add("net return (after fees, slippage)", F($"{m.NetReturnPercent:0.###}%"));
        Add("buy-and-hold", F($"{m.BuyAndHoldReturnPercent:0.###}%"));
        Add("rules baseline", m.RulesBaselineReturnPercent is { } b ? F($"{b:0.###}%") : "n/a");
        Add("Sharpe / Sortino", F($"{m.Sharpe:0.##} / {m.Sortino:0.##}"));
        Add("max drawdown", F($"{m.MaxDrawdownPercent:0.###}%"));
        Add("trades / win rate", F($"{m.Trades} / {m.WinRatePercent:0.#}%"));
        Add("profit factor / expectancy", F($"{(m.ProfitFactor is { } pf ? pf.ToString("0.###", CultureInfo.InvariantCulture) : "n/a")} / {m.Expectancy:0.####}"));
        Add("fees / avg hold / exposure", F($"{m.TotalFees:0.##} / {m.AverageHoldMinutes:0.#} min / {m.ExposurePercent:0.#}%"));
        Add("exit reasons", string.Join(", ", m.ExitReasons.Select(kv => $"{kv.Key} {kv.Value}")));
        foreach (var (key, reliability) in m.ReliabilityByModel.Select(g => ($"calibration {g.Key}", g.Table)).DefaultIfEmpty(("calibration", m.Reliability)))
        {
            Add(key, reliability.Count == 0 ? "no trades" : F($"{reliability.Count} trades, Brier {reliability.BrierScore:0.####}, calibration error {reliability.ExpectedCalibrationError:0.####}"));
        }
        Add("open at the end", OpenPositions(report));
        Add("dust (coins held, closed in books)", report.Dust.Count == 0 ? "none" : F($"{report.Dust.Count} parts worth {report.Dust.Sum(d => d.Value):0.########}"));
        Add("books vs paper account", Reconciliation(report.Reconciliation));
        Add("LLM calls / tokens / cost", F($"{m.Llm.Calls} / {m.Llm.InputTokens} in, {m.Llm.OutputTokens} out / ${m.Llm.CostUsd:0.####}{(m.Llm.UnpricedCalls > 0 ? $" ({m.Llm.UnpricedCalls} calls of a model without a price)" : string.Empty)}"));
        if (cassette is not null)
        {
            Add("cassette", F($"{cassette.Hits} replayed, {cassette.Recorded} recorded, {cassette.Misses} missing"));
        }

        console.Write(table);
        if (jsonPath is not null)
        {
            await BacktestJson.WriteAsync(report, jsonPath, CancellationToken.None);
            console.MarkupLine($"JSON: [bold]{Markup.Escape(jsonPath)}[/]");
        }

        if (htmlPath is not null)
        {
            await BacktestHtml.WriteAsync(report, htmlPath, CancellationToken.None);
            console.MarkupLine($"HTML: [bold]{Markup.Escape(htmlPath)}[/]");
        }

        cassette?.Dispose();
        return 0;
    }

    /// <summary>The positions still open, the first few in full: id, side, amount, entry, mark, unrealized PnL.</summary>
    private static string OpenPositions(BacktestReport report)
    {
        const int Shown = 5;
        var open = report.OpenPositions;
        if (open.Count == 0)
        {
            return "none";
        }

        var listed = open.Take(Shown).Select(p => F($"{p.Id} {p.Symbol} {p.Side} {p.Amount} at {p.EntryPrice}, mark {p.MarkPrice}, unrealized {p.UnrealizedPnl:0.####}"));
        return F($"{open.Count}: {string.Join("; ", listed)}{(open.Count > Shown ? F($"; and {open.Count - Shown} more") : string.Empty)}");
    }

    /// <summary>"agree" with the fills counted, or what disagrees: each currency's books and account, and the equity.</summary>
    private static string Reconciliation(BacktestReconciliation books)
    {
        if (books.Agrees)
        {
            return F($"agree ({books.Fills} fills; {string.Join(", ", books.Currencies.Select(c => F($"{c.Currency} {c.Actual:0.########}")))})");
        }

        var lines = books.Currencies.Where(c => !c.Agrees).Select(c => F($"{c.Currency} books {c.Expected}, account {c.Actual} (difference {c.Difference})"));
        if (books.Equity is { Agrees: false } e)
        {
            lines = lines.Append(F($"equity books {e.ExpectedEquity:0.########}, account {e.AccountEquity:0.########} (difference {e.Difference})"));
        }

        return $"DISAGREE: {string.Join("; ", lines)}";
    }

    /// <summary>The hosts' sources and spellings: appsettings.Local.json, the environment, then <c>--config</c> files; an unknown key stops the run.</summary>
    internal static IConfiguration Configuration(IEnumerable<string> configFiles, Func<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.Local.json"), optional: true)
            .AddEnvironmentVariables();
        ConfigFiles.Add(builder, configFiles, environment);
        var (configuration, unknown) = SeedSpellings.Build(builder);
        return unknown.Count == 0 ? configuration : throw new InvalidOperationException(string.Join(" ", unknown));
    }

    private static T Bind<T>(IConfiguration configuration, string section)
        where T : new()
    {
        var options = new T();
        configuration.GetSection(section).Bind(options);
        return options;
    }

    internal static DateTimeOffset? Time(string? text) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t
        : throw new FormatException($"'{text}' is not a date/time (e.g. 2023-01-10 or 2023-01-10T12:00)");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed class BarProgress(ProgressTask task) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value)
        {
            task.MaxValue = Math.Max(1, value.Steps);
            task.Value = value.Step;
            task.Description = F($"backtest, {value.Trades} trades");
        }
    }
}
