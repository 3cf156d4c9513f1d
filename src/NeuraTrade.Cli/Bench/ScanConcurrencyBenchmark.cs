using System.Diagnostics;
using System.Text.Json;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Composition;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// A scan of the 10 bundled X/BTC markets (one replay clock) against a loopback OpenAI-compatible server that answers
/// after 300 ms, then 0 ms: scan wall time over one call's time. The LLM calls of a scan run concurrently, so the first
/// ratio should be close to 1; the 0 ms ratio shows the engine's own overhead per scan. The model buys three of the
/// symbols (the others it holds), so every scan also places entries through the admission; the positions are closed by
/// hand after each scan, untimed, so the next scan enters again. Every scan's Table Storage requests are counted
/// (<see cref="StorageRoundTrips"/>): what the scan waits for on storage.
/// </summary>
internal sealed class ScanConcurrencyBenchmark : IBenchmark
{
    public const int SymbolCount = 10;

    /// <summary>Untimed scans before the first timed one (see <see cref="RunAsync"/>).</summary>
    public const int WarmUpScans = 20;
    private static readonly int[] DelaysMs = [300, 0];

    public string Name => "scan-concurrency";

    public string Description => "Scan wall time over one LLM call's time and the scan's storage round trips, 10 symbols (3 enter), loopback LLM at 300 ms and 0 ms; --runs N measures the 300 ms ratio N times and prints the median.";

    public bool TakesRuns => true;

    /// <summary>
    /// The requests of the journal's batches (one transaction per partition: symbol, time bucket, id bucket). A scan's
    /// decisions are written behind it by the journal's own writer, so a scan makes none of them.
    /// </summary>
    public const string JournalBatches = "POST $batch decisions";

    /// <summary>
    /// A scan's storage round trips besides its entries: the claim and its release, the replay
    /// anchor, the book in one wave (state, open positions, today's and yesterday's trades), the state once more before the
    /// entries (a kill switch), and the scan's record. The same for 1 symbol or 100.
    /// </summary>
    public const int FixedRoundTrips = 9;

    /// <summary>
    /// A scan's entries' together, once when it has any: their admission (the open positions read under the kept slot row,
    /// every entry's slot written in one step) and the release of all their slots in one write.
    /// </summary>
    public const int AdmissionRoundTrips = 3;

    /// <summary>
    /// Each entry's: the paper venue's order (its account, one transaction) and the position. Its decision is journaled
    /// behind the scan with the others.
    /// </summary>
    public const int PerEntryRoundTrips = 2;

    /// <summary>The storage round trips of a scan of <paramref name="entries"/> entries (its decisions are written behind it).</summary>
    public static int RoundTrips(int entries) => FixedRoundTrips + (entries > 0 ? AdmissionRoundTrips : 0) + (PerEntryRoundTrips * entries);

    /// <summary>The symbols the bench's model buys: three of the ten, not the first (whose decision is the one timed alone).</summary>
    public static bool Buys(string symbol) => symbol is "DASH/BTC" or "LTC/BTC" or "XLM/BTC";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await using var llm = await BenchLlm.StartAsync(0, cancellationToken);
        llm.Buys = Buys;
        var port = Azurite.FreePort();
        await using var azurite = await Azurite.EnsureAsync(port, location: null, Console.WriteLine, cancellationToken);
        using var replay = ReplayUniverse.Create(SymbolCount);
        var prefix = "bench" + Guid.NewGuid().ToString("N")[..8];
        var roundTrips = new StorageRoundTrips(prefix);
        using var host = Build(Azurite.ConnectionString(port), prefix, llm.Endpoint, replay.Directory, roundTrips);
        var maker = host.Services.GetRequiredService<DecisionMaker>();

        // The usage ledger writes behind on a loop of its own: started here, its writes are no scan's.
        host.Services.GetRequiredService<ILlmUsageLedger>();
        var portfolio = new PortfolioSnapshot("BTC", 100m, 0, false, 0m);
        var results = new List<object>();

        // A process's first scans run code the JIT has not optimized yet (tiered compilation): a host scans every few seconds
        // for days, so the steady state is what is measured. Warm-up scans, untimed, at a 0 ms LLM.
        llm.DelayMs = 0;
        for (var i = 0; i < WarmUpScans; i++)
        {
            await CountedScanAsync(host, roundTrips, cancellationToken);
        }

        var ratios = new List<double>();
        foreach (var (ms, run) in DelaysMs.SelectMany(ms => Enumerable.Range(1, ms > 0 ? settings.Runs : 1).Select(run => (ms, run))))
        {
            llm.DelayMs = ms;
            var market = await maker.ReadMarketAsync(replay.Symbols[0], cancellationToken);
            await maker.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Api, cancellationToken);
            await CountedScanAsync(host, roundTrips, cancellationToken);

            var single = await MedianAsync(settings.Repeats, () => maker.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Api, cancellationToken));
            var calls = llm.Calls;
            var scans = new List<CountedScan>();
            for (var i = 0; i < settings.Repeats; i++)
            {
                scans.Add(await CountedScanAsync(host, roundTrips, cancellationToken));
            }

            var median = scans.OrderBy(s => s.Wall).ElementAt(scans.Count / 2);
            var scan = median.Wall;
            var perScan = (llm.Calls - calls) / (double)settings.Repeats;
            var ratio = scan.TotalMilliseconds / single.TotalMilliseconds;
            var trips = scans.Select(s => s.RoundTrips).Distinct().ToList();
            var entries = scans.Select(s => s.Entries).Distinct().ToList();
            if (ms > 0)
            {
                ratios.Add(ratio);
            }

            results.Add(new
            {
                llm_delay_ms = ms, run, symbols = replay.Symbols.Count, llm_calls_per_scan = perScan, entries_per_scan = entries, storage_round_trips_per_scan = trips,
                storage_round_trips_by_kind = scans[^1].ByKind, phases_ms = median.Phases.ToDictionary(p => p.Name, p => Math.Round(p.At.TotalMilliseconds, 1)), scan_ms = Math.Round(scan.TotalMilliseconds, 1), one_call_ms = Math.Round(single.TotalMilliseconds, 1), ratio = Math.Round(ratio, 2),
            });
            if (!settings.Json)
            {
                Console.WriteLine($"{(settings.Runs > 1 && ms > 0 ? $"run {run}: " : string.Empty)}LLM {ms,3} ms: scan of {replay.Symbols.Count} symbols ({perScan:0} LLM calls, {string.Join("/", entries)} entries) {scan.TotalMilliseconds,8:0.0} ms / one decision {single.TotalMilliseconds,7:0.0} ms = {ratio:0.00}{(ms > 0 ? " (target <= 1.15)" : " (engine overhead)")}");
                Console.WriteLine($"             storage round trips per scan: {string.Join("/", trips)} ({string.Join(", ", scans[^1].ByKind.Select(k => $"{k.Key} x{k.Value}"))})");
                Console.WriteLine($"             {scans[^1].RoundTrips} = {FixedRoundTrips} per scan + {(scans[^1].Entries > 0 ? AdmissionRoundTrips : 0)} for the entries' admission + {PerEntryRoundTrips} x {scans[^1].Entries} entries; the decisions are journaled behind the scan{(scans[^1].RoundTrips == RoundTrips(scans[^1].Entries) ? string.Empty : " (more this time: an exit was tried and the book read again, or a write was contended)")}");
                Console.WriteLine($"             the median scan's steps, ms from its start: {string.Join(", ", median.Phases.Select(p => $"{p.Name} {p.At.TotalMilliseconds:0}"))}");
            }
        }

        if (settings.Runs > 1)
        {
            var median = ratios.Order().ElementAt(ratios.Count / 2);
            if (ratios.Count % 2 == 0)
            {
                median = (median + ratios.Order().ElementAt((ratios.Count / 2) - 1)) / 2;
            }

            results.Add(new { llm_delay_ms = DelaysMs[0], runs = ratios.Select(r => Math.Round(r, 2)).ToList(), median_ratio = Math.Round(median, 2) });
            if (!settings.Json)
            {
                Console.WriteLine($"LLM {DelaysMs[0]} ms, {ratios.Count} runs: ratios {string.Join(", ", ratios.Select(r => r.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}; median {median:0.00} (target <= 1.15)");
            }
        }

        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(results));
        }

        return 0;
    }

    /// <summary>
    /// One scan, timed, with its storage requests counted; then (untimed, uncounted) the positions it opened are closed
    /// by hand, so the next scan finds the same book.
    /// </summary>
    internal static async Task<CountedScan> CountedScanAsync(IHost host, StorageRoundTrips roundTrips, CancellationToken cancellationToken)
    {
        var engine = host.Services.GetRequiredService<ScalpingEngine>();
        ScanReport report;
        TimeSpan wall;
        int count;
        IReadOnlyDictionary<string, int> byKind;
        using (var scope = roundTrips.Begin())
        {
            var started = Stopwatch.GetTimestamp();
            report = await engine.RunScanAsync(cancellationToken);
            wall = Stopwatch.GetElapsedTime(started);
            count = scope.Count;
            byKind = scope.ByKind;
        }

        var control = host.Services.GetRequiredService<ScalpingControl>();
        foreach (var position in await host.Services.GetRequiredService<IPositionStore>().GetOpenAsync(cancellationToken))
        {
            await control.ClosePositionAsync(position.Id, cancellationToken);
        }

        return new CountedScan(wall, count, byKind, report.Symbols.Count(s => s.Opened is not null), report.Symbols.Count, report.StartedAt, report.Phases);
    }

    /// <summary>The bench's app; <paramref name="overrides"/> are settings laid over the bench's (a test's variant).</summary>
    internal static IHost Build(string storage, string prefix, string llmEndpoint, string replayDirectory, StorageRoundTrips roundTrips, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(ReplayUniverse.WithBtcAccount(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storage,
            ["Storage:TablePrefix"] = prefix,
            ["AI:Provider"] = "openai",
            ["AI:Model"] = "gpt-4o-mini",
            ["AI:ApiKey"] = "bench",
            ["AI:Endpoint"] = llmEndpoint,
            ["AI:MaxConcurrency"] = SymbolCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AI:DailyBudgetUsd"] = "0",
            ["Scalping:FanOut"] = "off",

            // Every symbol asks the brain (the screen would spare some the call).
            ["Scalping:Screen"] = "false",
            ["Scalping:MaxPositions"] = "100",
            ["Scalping:MaxSpreadPercent"] = "100",
            ["Scalping:Symbols"] = string.Join(',', Directory.EnumerateFiles(replayDirectory, "*.csv").Select(f => Path.GetFileNameWithoutExtension(f).Split('-')[0].Replace('_', '/')).Order(StringComparer.Ordinal)),
            ["Exchange:ReplayDirectory"] = replayDirectory,

            // The hand closes between scans lose the spread and fees: no loss-streak pause, or the entries would stop.
            ["Scalping:MaxConsecutiveLosses"] = "0",
            ["Scalping:PositionHoldTime"] = "00:05:00",
        }));
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        builder.Logging.ClearProviders();
        builder.AddNeuraTrade();
        builder.Services.AddSingleton<HttpPipelinePolicy>(roundTrips);
        return builder.Build();
    }

    private static async Task<TimeSpan> MedianAsync<T>(int repeats, Func<Task<T>> work)
    {
        var times = new List<TimeSpan>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await work();
            times.Add(Stopwatch.GetElapsedTime(started));
        }

        times.Sort();
        return times[times.Count / 2];
    }
}

/// <summary>One scan of the bench: its wall time, its storage requests (all and by kind), its entries and symbols, its start (market time), its steps' times.</summary>
internal sealed record CountedScan(TimeSpan Wall, int RoundTrips, IReadOnlyDictionary<string, int> ByKind, int Entries, int Symbols, DateTimeOffset StartedAt, IReadOnlyList<ScanPhase> Phases);
