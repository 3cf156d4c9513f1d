using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// <c>neuratrade bench backtest</c>: candles per second of a backtest over the bundled BTC/USDT 5m file repeated to at
/// least 1M candles: the rules brain on the fast path (what <c>--engine auto</c> runs, with its GC pauses), the rules
/// brain on the full engine (the live engine per candle; both must make the same trades), and the replay brain (the
/// LLM brain answered from a cassette recorded just before from a local deterministic stand-in model, so no network).
/// One measured run of each after a warm-up; <c>--repeats</c> is ignored (a run is a million candles;
/// <c>NT_BENCH_BACKTEST_CANDLES</c> sets another count for a quick look). Each run prints its allocations per candle,
/// collections per generation and GC pause (<see cref="RunFigures"/>); the LLM runs also their µs per decision, and the
/// replay a step-by-step breakdown of one replayed decision (<see cref="ReplayBreakdown"/>).
/// </summary>
internal sealed class BacktestBenchmark : IBenchmark
{
    private const int TargetCandles = 1_000_000;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Name => "backtest";

    public string Description => "Backtest candles per second over >= 1M candles (bundled BTC/USDT repeated): rules brain, replay brain.";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var file = FindData();
        var bundled = CandleCsv.Read(file);
        var target = int.TryParse(Environment.GetEnvironmentVariable("NT_BENCH_BACKTEST_CANDLES"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : TargetCandles;
        var candles = Repeat(bundled, target);
        // The market's tick as the data folder states it (markets.json), as `neuratrade backtest` reads it.
        var market = new BacktestMarket("BTC/USDT", "5m", candles) { TickSize = MarketTicks.Load(Path.GetDirectoryName(file)!).TryGetValue("BTC/USDT", out var tick) ? tick : null };
        Console.WriteLine(F($"bench backtest: {bundled.Count} bundled candles repeated to {candles.Count}; processors {Environment.ProcessorCount}"));

        // Warm-up (JIT) on the bundled file, both loops.
        await RunRulesAsync(market with { Candles = bundled }, BacktestEngines.Fast, cancellationToken);
        await RunRulesAsync(market with { Candles = bundled }, BacktestEngines.Full, cancellationToken);

        var rules = await RunRulesAsync(market, BacktestEngines.Fast, cancellationToken);
        Progress(settings, F($"rules brain : {rules.Rate,10:0} candles/s ({rules.Trades} trades; fast path, what --engine auto runs); {rules.Gc}"));
        var rulesFull = await RunRulesAsync(market, BacktestEngines.Full, cancellationToken);
        Progress(settings, F($"rules, full : {rulesFull.Rate,10:0} candles/s ({rulesFull.Trades} trades; the live engine per candle, --engine full); {rulesFull.Gc}"));
        var cassettePath = Path.Combine(Path.GetTempPath(), F($"nt-bench-{Environment.ProcessId}.cassette.jsonl"));
        try
        {
            var (recorded, _) = await RunLlmAsync(market, CassetteChatClient.Record(cassettePath, new StandInModel()), keep: 0, cancellationToken);
            Progress(settings, F($"record      : {recorded.Rate,10:0} candles/s (stand-in model, {recorded.LlmCalls} calls); {recorded.Gc}{recorded.Brain}"));
            using var replay = CassetteChatClient.Replay(cassettePath);
            var (replayed, kept) = await RunLlmAsync(market, replay, keep: BreakdownRequests, cancellationToken);
            Progress(settings, F($"replay brain: {replayed.Rate,10:0} candles/s ({replayed.LlmCalls} LLM calls replayed, {replay.Misses} misses); {replayed.Gc}{replayed.Brain}"));
            using var again = CassetteChatClient.Replay(cassettePath);
            var breakdown = await ReplayBreakdown.MeasureAsync(kept, again, LlmEndpoint, LlmOptions);
            if (!settings.Json)
            {
                Console.WriteLine(F($"one replayed decision, step by step over {kept.Count} decisions of the run (steps nest: pipeline > cassette > key):"));
                foreach (var row in breakdown)
                {
                    Console.WriteLine(ReplayBreakdown.Format(row));
                }
            }

            var figures = new
            {
                candles = candles.Count,
                rules_candles_per_second = Math.Round(rules.Rate),
                rules_trades = rules.Trades,
                rules_bytes_per_candle = Math.Round(rules.BytesPerCandle),
                rules_gc_collections = new[] { rules.Gen0, rules.Gen1, rules.Gen2 },
                rules_gc_pause_ms = Math.Round(rules.GcPause.TotalMilliseconds),
                rules_full_engine_candles_per_second = Math.Round(rulesFull.Rate),
                rules_full_engine_trades = rulesFull.Trades,
                rules_full_engine_bytes_per_candle = Math.Round(rulesFull.BytesPerCandle),
                rules_full_engine_gc_collections = new[] { rulesFull.Gen0, rulesFull.Gen1, rulesFull.Gen2 },
                rules_full_engine_gc_pause_ms = Math.Round(rulesFull.GcPause.TotalMilliseconds),
                fast_over_full = Math.Round(rules.Rate / rulesFull.Rate, 1),
                record_candles_per_second = Math.Round(recorded.Rate),
                replay_candles_per_second = Math.Round(replayed.Rate),
                replay_llm_calls = replayed.LlmCalls,
                replay_misses = replay.Misses,
                replay_bytes_per_candle = Math.Round(replayed.BytesPerCandle),
                replay_gc_collections = new[] { replayed.Gen0, replayed.Gen1, replayed.Gen2 },
                replay_gc_pause_ms = Math.Round(replayed.GcPause.TotalMilliseconds),
                replay_microseconds_per_decision = Math.Round(replayed.MicrosecondsPerDecision, 1),
                replay_brain_share_of_run = Math.Round(replayed.BrainShare, 3),
                replay_breakdown_microseconds = breakdown.ToDictionary(r => r.Step, r => Math.Round(r.Microseconds, 1)),
                replay_over_rules = Math.Round(replayed.Rate / rules.Rate, 3),
                replay_over_rules_full_engine = Math.Round(replayed.Rate / rulesFull.Rate, 3),
                replay_bytes_over_rules_full_engine = Math.Round(replayed.BytesPerCandle / rulesFull.BytesPerCandle, 2),
                target_candles_per_second = 1_000_000,
                rules_over_target = Math.Round(rules.Rate / 1_000_000d, 4),
                replay_over_its_target = Math.Round(replayed.Rate / 100_000d, 4),
            };
            if (settings.Json)
            {
                Console.WriteLine(JsonSerializer.Serialize(figures, Indented));
            }
            else
            {
                Console.WriteLine(F($"fast / full (rules) = {figures.fast_over_full}; replay / rules = {figures.replay_over_rules}; replay / rules full engine = {figures.replay_over_rules_full_engine} (bytes per candle: {figures.replay_bytes_over_rules_full_engine}x); rules / 1M target = {figures.rules_over_target}; replay / 100k target = {figures.replay_over_its_target}"));
            }
        }
        finally
        {
            File.Delete(cassettePath);
        }

        return 0;
    }

    /// <summary>Prints a phase's figure as soon as it is known (a phase takes minutes); JSON output waits for the end.</summary>
    private static void Progress(BenchSettings settings, string line)
    {
        if (!settings.Json)
        {
            Console.WriteLine(line);
        }
    }

    /// <summary>Requests of the measured replay kept for its step-by-step breakdown.</summary>
    private const int BreakdownRequests = 20_000;

    private static readonly LlmEndpoint LlmEndpoint = new("openai", "gpt-4o-mini", true);

    private static readonly BrainOptions LlmOptions = new() { Provider = "openai", Model = LlmEndpoint.Model };

    private static async Task<RunFigures> RunRulesAsync(BacktestMarket market, string engine, CancellationToken cancellationToken) =>
        (await MeasureAsync(market, _ => new RulesBrain(), new InMemoryLlmUsageLedger(), cancellationToken, engine)).Figures;

    private static async Task<(RunFigures Figures, IReadOnlyList<BrainRequest> Kept)> RunLlmAsync(BacktestMarket market, IChatClient cassette, int keep, CancellationToken cancellationToken)
    {
        var ledger = new InMemoryLlmUsageLedger();
        TimedBrain? timed = null;
        var (figures, _) = await MeasureAsync(market, clock => timed = new TimedBrain(BacktestBrains.Llm(cassette, LlmEndpoint, LlmOptions, clock, ledger, anonymize: true)) { Keep = keep }, ledger, cancellationToken);
        return (figures with { BrainCalls = timed!.Calls, BrainTime = timed.Time }, timed.Kept);
    }

    private static async Task<(RunFigures Figures, int Steps)> MeasureAsync(BacktestMarket market, Func<ManualClock, ITradingBrain> brain, InMemoryLlmUsageLedger ledger, CancellationToken cancellationToken, string engine = BacktestEngines.Auto)
    {
        var settings = new BacktestSettings([market], TimeSpan.FromMinutes(5), 10_000m, "USDT", 0.1m, 0.02m);
        var clock = BacktestSessionFactory.ClockFor(settings);
        var brainOptions = new BrainOptions();
        var exchange = new PaperExchangeOptions();
        var session = BacktestSessionFactory.Create(settings, brain(clock), new ScalpingOptions(), brainOptions, exchange, ledger, clock);

        // Timed from the session built to the run returned: the fast path's set-up (double closes, market index) is counted.
        // The GC's counters are read around the same span (allocations of every thread, pauses of every collection).
        GC.Collect();
        var before = RunFigures.Snapshot();
        var watch = Stopwatch.StartNew();
        var run = await BacktestEngines.RunAsync(engine, session, settings, brainOptions, exchange, null, cancellationToken);
        watch.Stop();
        var after = RunFigures.Snapshot();
        var figures = new RunFigures(
            run.Steps,
            watch.Elapsed,
            session.Positions.Closed.Count,
            ledger.Calls,
            after.Allocated - before.Allocated,
            after.Gen0 - before.Gen0,
            after.Gen1 - before.Gen1,
            after.Gen2 - before.Gen2,
            after.Pause - before.Pause,
            0,
            TimeSpan.Zero);
        return (figures, run.Steps);
    }

    /// <summary>The file repeated back to back (times shifted, prices unchanged) until it has at least <paramref name="target"/> candles.</summary>
    internal static IReadOnlyList<Candle> Repeat(IReadOnlyList<Candle> candles, int target)
    {
        var span = candles[^1].OpenTime - candles[0].OpenTime + TimeSpan.FromMinutes(5);
        var result = new List<Candle>(target + candles.Count);
        for (var lap = 0; result.Count < target; lap++)
        {
            var shift = span * lap;
            result.AddRange(candles.Select(c => c with { OpenTime = c.OpenTime + shift }));
        }

        return result;
    }

    private static string FindData()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "data", "candles", "BTC_USDT-5m.csv");
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new FileNotFoundException("data/candles/BTC_USDT-5m.csv not found above the working folder");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
