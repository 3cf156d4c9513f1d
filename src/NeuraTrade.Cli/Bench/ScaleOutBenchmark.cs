using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions.Composition;
using NeuraTrade.Functions.Settings;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// One fanned-out interval of 24 symbols (6 waves of 4 LLM calls at <c>AI:MaxConcurrency=4</c>) against a loopback LLM
/// answering after 300 ms, worked by 1, 2 and 3 instances of <c>serve</c>'s local host on one Azurite (tables and
/// queue): the interval's wall time for each, and the speed-up over one. The instances run in this process (each its
/// own services, LLM gate, claims' owner, timer and queue listener), not as separate OS processes. Exactly once is
/// counted from the journal: after the run every symbol holds one decision per interval fanned out. The first interval
/// warms the instances up; the next <c>--repeats</c> are timed, and the median is the figure.
/// </summary>
internal sealed class ScaleOutBenchmark : IBenchmark
{
    private const int SymbolCount = 24;
    private const int MaxConcurrency = 4;
    private const int LlmDelayMs = 300;
    private static readonly int[] WorkerCounts = [1, 2, 3];

    // 15 s intervals: one worker's 6 waves fit with room; the timer of every instance fires at :00, :15, :30, :45.
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    private const string Schedule = "*/15 * * * * *";

    // An idle instance polls the queue every 100 ms here (host.json says up to 2 s): the interval's time is the scans',
    // not a listener's back-off, which would add 0-2 s at random to each run.
    private static readonly TimeSpan Polling = TimeSpan.FromMilliseconds(100);

    public string Name => "scale-out";

    public string Description => "One fanned-out interval of 24 symbols (300 ms LLM, AI:MaxConcurrency=4) with 1, 2 and 3 instances on one Azurite: wall time and speed-up.";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        await using var llm = await BenchLlm.StartAsync(LlmDelayMs, cancellationToken);
        var tablePort = Azurite.FreePort();
        var queuePort = Azurite.FreePort();
        await using var tables = await Azurite.EnsureAsync(tablePort, location: null, Console.WriteLine, cancellationToken);
        await using var queues = await Azurite.EnsureQueuesAsync(queuePort, location: null, Console.WriteLine, cancellationToken);
        var storage = Azurite.ConnectionString(tablePort, queuePort);
        using var replay = ReplayUniverse.Create(SymbolCount);
        if (!settings.Json)
        {
            Console.WriteLine($"{SymbolCount} symbols on one replay clock: the {replay.Real.Count} bundled X/BTC 5m markets, and {replay.Copies.Count} copies of their files under other names (real prices, repeated): {string.Join(", ", replay.Copies.Select(c => $"{c.Symbol} = {c.Of}"))}");
        }

        var runs = new List<Run>();
        foreach (var workers in WorkerCounts)
        {
            var run = await RunIntervalsAsync(workers, settings.Repeats, storage, llm, replay, cancellationToken);
            runs.Add(run);
            if (!settings.Json)
            {
                Console.WriteLine($"{workers} worker{(workers == 1 ? " " : "s")}: interval {run.Wall.TotalMilliseconds,6:0} ms (median of {string.Join(", ", run.Intervals.Select(t => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)))}); "
                    + $"scans: {run.Scanned} once, {run.Missed} missed, {run.Twice} twice (per worker {string.Join("/", run.PerWorker)}); journal: {run.JournalExact} of {SymbolCount} symbols hold one decision per interval fanned out ({run.FannedOut}, the first a warm-up)");
            }
        }

        var one = runs[0].Wall.TotalMilliseconds;
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(runs.Select(r => new
            {
                workers = r.Workers, symbols = SymbolCount, llm_delay_ms = LlmDelayMs, max_concurrency = MaxConcurrency, interval_ms = Math.Round(r.Wall.TotalMilliseconds), intervals_ms = r.Intervals.Select(t => Math.Round(t.TotalMilliseconds)).ToList(), per_worker = r.PerWorker,
                scanned_once = r.Scanned, missed = r.Missed, scanned_twice = r.Twice, journal_exact = r.JournalExact, speed_up = Math.Round(one / r.Wall.TotalMilliseconds, 2),
                linear = r.Workers,
            })));
        }
        else
        {
            foreach (var run in runs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"speed-up {run.Workers} workers: {one / run.Wall.TotalMilliseconds:0.00}"));
            }
        }

        return runs.All(r => r.Missed == 0 && r.Twice == 0 && r.JournalExact == SymbolCount) ? 0 : 1;
    }

    /// <summary>
    /// Starts the instances, lets the first interval they fan out warm them up (JIT, tables, connections) and times the
    /// next <paramref name="repeats"/>, each from its start on the wall clock to its last symbol scanned (the median is
    /// the figure); then stops them and reads the journal.
    /// </summary>
    private static async Task<Run> RunIntervalsAsync(int workers, int repeats, string storage, BenchLlm llm, ReplayUniverse replay, CancellationToken cancellationToken)
    {
        var prefix = "scale" + Guid.NewGuid().ToString("N")[..8];
        var queue = "scale-" + Guid.NewGuid().ToString("N")[..8];
        var config = Settings(storage, prefix, queue, llm.Endpoint, replay);
        var events = Enumerable.Range(0, workers).Select(_ => new FanOutEvents(TimeProvider.System)).ToList();
        var hosts = new List<WebApplication>();
        try
        {
            foreach (var recorder in events)
            {
                var app = LocalFunctionHost.Build("http://127.0.0.1:0", c => c.AddInMemoryCollection(config), services =>
                {
                    services.RemoveAll<ILoggerProvider>();
                    services.AddSingleton<ILoggerProvider>(recorder);
                    services.AddSingleton(QueueHostSettings.ForApp() with { MaxPollingInterval = Polling });
                });
                await app.StartAsync(cancellationToken);
                hosts.Add(app);
            }

            // The warm-up interval, then the measured ones: each fully scanned (or dropped as stale once its interval ended).
            var deadline = TimeProvider.System.GetUtcNow() + ((repeats + 3) * Interval);
            while (Done(events.SelectMany(e => e.All).ToList()).Count < repeats + 1 && TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
        finally
        {
            foreach (var app in hosts)
            {
                await app.StopAsync(CancellationToken.None);
                await app.DisposeAsync();
            }
        }

        var all = events.SelectMany(e => e.All).OrderBy(e => e.At).ToList();
        var fannedOut = all.Where(e => e.Id == FanOutLog.IntervalFannedOutId).Select(e => e.Interval).Distinct().ToList();
        var timed = new List<TimeSpan>();
        int scannedOnce = 0, missed = 0, twice = 0;
        foreach (var interval in fannedOut.Skip(1))
        {
            var start = DateTimeOffset.ParseExact(interval, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var scans = all.Where(e => e.Id == FanOutLog.SymbolScannedId && e.Interval == interval).ToList();
            var perSymbol = scans.GroupBy(e => e.Symbol).ToDictionary(g => g.Key, g => g.Count());
            scannedOnce += perSymbol.Count(p => p.Value == 1);
            missed += replay.Symbols.Count(s => !perSymbol.ContainsKey(s));
            twice += perSymbol.Count(p => p.Value > 1);
            timed.Add((scans.Count > 0 ? scans.Max(e => e.At) : start + Interval) - start);
        }

        // The journal, read anew after the instances stopped: one decision per symbol per interval fanned out, no more, no less.
        using var reader = Reader(storage, prefix, replay);
        var journal = reader.Services.GetRequiredService<IDecisionStore>();
        var exact = 0;
        foreach (var symbol in replay.Symbols)
        {
            exact += (await journal.GetLatestAsync(symbol, 50, cancellationToken)).Count == fannedOut.Count ? 1 : 0;
        }

        timed.Sort();
        var perWorker = events.Select(e => e.All.Count(x => x.Id == FanOutLog.SymbolScannedId && x.Interval != fannedOut.FirstOrDefault())).ToList();
        return new Run(workers, timed.Count > 0 ? timed[timed.Count / 2] : Interval, timed, scannedOnce, missed, twice, exact, fannedOut.Count, perWorker);
    }

    /// <summary>The intervals every symbol of which was scanned or dropped.</summary>
    private static List<string> Done(IReadOnlyList<FanOutEvent> events) =>
        events.Where(e => e.Id == FanOutLog.IntervalFannedOutId).Select(e => e.Interval).Distinct()
            .Where(i => events.Count(e => e.Interval == i && e.Id is FanOutLog.SymbolScannedId or FanOutLog.SymbolScanDroppedId) >= SymbolCount)
            .ToList();

    private static Dictionary<string, string?> Settings(string storage, string prefix, string queue, string llmEndpoint, ReplayUniverse replay) => ReplayUniverse.WithBtcAccount(new()
    {
        ["Storage:ConnectionString"] = storage,
        ["Storage:TablePrefix"] = prefix,
        [ScalpingOptions.ScanQueueSetting] = queue,
        [ScalpingOptions.ScheduleSetting] = Schedule,
        ["Scalping:FanOut"] = "on",
        ["Scalping:Symbols"] = string.Join(',', replay.Symbols),

        // Every symbol asks the brain (the screen would spare some the call, and the bench would time fewer waves).
        ["Scalping:Screen"] = "false",
        ["AI:Provider"] = "openai",
        ["AI:Model"] = "gpt-4o-mini",
        ["AI:ApiKey"] = "bench",
        ["AI:Endpoint"] = llmEndpoint,
        ["AI:MaxConcurrency"] = MaxConcurrency.ToString(CultureInfo.InvariantCulture),
        ["AI:DailyBudgetUsd"] = "0",
        ["Exchange:ReplayDirectory"] = replay.Directory,
        ["Scalping:PositionHoldTime"] = "00:05:00",
        ["RateLimits:PerMinute"] = "0",
    });

    private static IHost Reader(string storage, string prefix, ReplayUniverse replay)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(Settings(storage, prefix, "unused", "http://127.0.0.1:9/v1", replay));
        builder.Logging.ClearProviders();
        builder.AddNeuraTrade();
        return builder.Build();
    }

    private sealed record Run(int Workers, TimeSpan Wall, IReadOnlyList<TimeSpan> Intervals, int Scanned, int Missed, int Twice, int JournalExact, int FannedOut, IReadOnlyList<int> PerWorker);
}
