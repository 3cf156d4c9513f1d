using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>The bundled real candles and a one-call backtest over them.</summary>
internal static class Bundled
{
    private static readonly Lazy<IReadOnlyList<Candle>> BtcCandles = new(() => CandleCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", "candles", "BTC_USDT-5m.csv")));

    public static IReadOnlyList<Candle> Btc => BtcCandles.Value;

    public static string BtcPath => Path.Combine(AppContext.BaseDirectory, "data", "candles", "BTC_USDT-5m.csv");

    /// <summary>The bundled week of BTC/USDT minute candles, the default paper replay's data.</summary>
    public static string BtcMinutePath => Path.Combine(AppContext.BaseDirectory, "data", "replay", "BTC_USDT-1m.csv");

    /// <summary>The price ticks the bundled data folders state (their markets.json), by symbol.</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, decimal>> Ticks = new(() =>
        new[] { "candles", "coinbase" }.SelectMany(folder => MarketTicks.Load(Path.Combine(AppContext.BaseDirectory, "data", folder))).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal));

    /// <summary>Five-minute markets in a USDT account, each bundled market with its tick as <c>neuratrade backtest</c> reads it.</summary>
    public static BacktestSettings Settings(params BacktestMarket[] markets) =>
        new([.. markets.Select(WithTick)], TimeSpan.FromMinutes(5), 10_000m, "USDT", 0.1m, 0.02m);

    /// <summary>
    /// The market with the tick its bundled data folder states (markets.json), as <c>neuratrade backtest</c> gives it; a
    /// market the folders do not name (made up in a test) keeps the tick its candles show.
    /// </summary>
    public static BacktestMarket WithTick(BacktestMarket market) =>
        market.TickSize is null && Ticks.Value.TryGetValue(market.Symbol, out var tick) ? market with { TickSize = tick } : market;

    public static async Task<BacktestReport> RunAsync(BacktestSettings settings, ITradingBrain? brain = null, string profile = ScalpingProfiles.Default, InMemoryLlmUsageLedger? ledger = null, ManualClock? clock = null, TimeSpan? hold = null) =>
        (await RunAsync(settings, keepLog: false, brain, profile, ledger, clock, hold)).Report;

    /// <param name="hold">The hold time (<c>Scalping:PositionHoldTime</c>) over the profile's.</param>
    public static async Task<(BacktestReport Report, IReadOnlyList<DecisionLogEntry> Decisions)> RunAsync(BacktestSettings settings, bool keepLog, ITradingBrain? brain = null, string profile = ScalpingProfiles.Default, InMemoryLlmUsageLedger? ledger = null, ManualClock? clock = null, TimeSpan? hold = null)
    {
        clock ??= BacktestSessionFactory.ClockFor(settings);
        var scalping = new ScalpingOptions();
        ScalpingProfiles.Apply(scalping, profile);
        scalping.PositionHoldTime = hold ?? scalping.PositionHoldTime;
        var session = BacktestSessionFactory.Create(settings, brain ?? new RulesBrain(), scalping, new BrainOptions(), new PaperExchangeOptions(), ledger ?? new InMemoryLlmUsageLedger(), clock);
        var run = await new BacktestRunner(session, settings).RunAsync(null, CancellationToken.None);
        return (BacktestReport.Create(run, profile, null), session.Decisions.Log);
    }

    /// <summary>A rules-brain run through <paramref name="engine"/> (full or fast) with the given options.</summary>
    public static async Task<BacktestReport> RunRulesAsync(string engine, BacktestSettings settings, ScalpingOptions scalping, BrainOptions? brainOptions = null, PaperExchangeOptions? exchange = null, IProgress<BacktestProgress>? progress = null, RulesBrain? brain = null, CancellationToken stopping = default)
    {
        brainOptions ??= new BrainOptions();
        exchange ??= new PaperExchangeOptions();
        var session = BacktestSessionFactory.Create(settings, brain ?? new RulesBrain(), scalping, brainOptions, exchange, new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(settings));
        var run = await BacktestEngines.RunAsync(engine, session, settings, brainOptions, exchange, progress, stopping);
        return BacktestReport.Create(run, scalping.Profile, null);
    }

    /// <summary>A bundled candle file by name (e.g. ETH_BTC-5m.csv) as a market.</summary>
    public static BacktestMarket Market(string file)
    {
        var name = Path.GetFileNameWithoutExtension(file);
        return WithTick(new BacktestMarket(name[..name.LastIndexOf('-')].Replace('_', '/'), "5m", CandleCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", "candles", file))));
    }
}
