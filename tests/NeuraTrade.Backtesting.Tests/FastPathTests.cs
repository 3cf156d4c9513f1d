using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The fast rules path must be the full engine, only quicker: every case runs both over real bundled candles and
/// requires the same report to the last digit (metrics, every trade, the whole equity curve). The cases reach the
/// paths that differ in shape: several markets with gaps and spans of their own, partial fills on thin books, trailing
/// and break-even stops, loss pauses, cooldowns, daily-loss and drawdown halts, a from/to range, other exit-check counts.
/// </summary>
public sealed class FastPathTests
{
    private static readonly string[] AltFiles = ["ADA_BTC-5m.csv", "DASH_BTC-5m.csv", "ETC_BTC-5m.csv", "ETH_BTC-5m.csv", "LTC_BTC-5m.csv", "NXT_BTC-5m.csv", "TRX_BTC-5m.csv", "XLM_BTC-5m.csv", "XMR_BTC-5m.csv", "ZEC_BTC-5m.csv"];

    public static TheoryData<string> Cases() =>
    [
        "btc-default", "btc-conservative", "btc-aggressive", "btc-trailing-break-even", "btc-tight-limits", "btc-no-pauses-long-hold",
        "btc-range-and-8-checks", "btc-gaps-and-second-market", "alts-default", "alts-aggressive-thin-books", "btc-short-history",
        "usd-minutes-1m-brain",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_fast_path_reports_exactly_what_the_full_engine_reports(string name)
    {
        var full = await RunAsync(name, BacktestEngines.Full);
        var fast = await RunAsync(name, BacktestEngines.Fast);

        Assert.True(full.Metrics.Trades > 0, $"{name}: the case should trade");
        Assert.True(full.Reconciliation.Agrees, $"{name}: the books disagree with the paper account: {string.Join("; ", full.Reconciliation.Currencies.Select(c => $"{c.Currency} {c.Expected} vs {c.Actual}"))}");
        Assert.Equal(BacktestJson.Serialize(full), BacktestJson.Serialize(fast));
        Assert.Equal(full.Equity, fast.Equity);
    }

    [Fact]
    public async Task A_run_stopped_early_stops_at_the_same_step_with_the_same_partial_report()
    {
        var settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Bundled.Btc));
        var reports = new List<BacktestReport>();
        foreach (var engine in new[] { BacktestEngines.Full, BacktestEngines.Fast })
        {
            using var stop = new CancellationTokenSource();
            var progress = new StopAt(2048, stop);
            reports.Add(await Bundled.RunRulesAsync(engine, settings, new ScalpingOptions(), progress: progress, stopping: stop.Token));
        }

        Assert.All(reports, r => Assert.True(r.Metrics.Partial));
        Assert.InRange(reports[0].Metrics.Candles, 2049, Bundled.Btc.Count - 1);
        Assert.Equal(BacktestJson.Serialize(reports[0]), BacktestJson.Serialize(reports[1]));
    }

    [Fact]
    public async Task Auto_takes_the_fast_path_for_the_rules_brain_only()
    {
        var settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Bundled.Btc.Take(300).ToArray()));
        var rules = BacktestSessionFactory.Create(settings, new RulesBrain(), new ScalpingOptions(), new BrainOptions(), new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(settings));
        var llm = BacktestSessionFactory.Create(settings, new StubModelBrain(), new ScalpingOptions(), new BrainOptions(), new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(settings));

        Assert.Equal(BacktestEngines.Fast, BacktestEngines.Resolve(BacktestEngines.Auto, rules, settings, new BrainOptions()));
        Assert.Equal(BacktestEngines.Full, BacktestEngines.Resolve(BacktestEngines.Auto, llm, settings, new BrainOptions()));
        Assert.Equal(BacktestEngines.Full, BacktestEngines.Resolve(BacktestEngines.Auto, rules, settings, new BrainOptions { Timeframe = "1m" }));
        var refused = Assert.Throws<InvalidOperationException>(() => BacktestEngines.Resolve(BacktestEngines.Fast, llm, settings, new BrainOptions()));
        Assert.Contains("rules brain only", refused.Message, StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    /// <summary>
    /// The screen may only skip what the rule holds on: over every window of every bundled file, wherever the exact rule
    /// (snapshot, proposal, validation) gives an entry of at least 0.6 confidence, the screen must have said "may enter".
    /// It must also screen out most windows, or the fast path would not be fast.
    /// </summary>
    [Fact]
    public async Task The_rules_screen_never_skips_an_entry_the_rule_would_make()
    {
        var rules = new RulesBrain();
        var validator = new DecisionValidator(Microsoft.Extensions.Options.Options.Create(new BrainOptions()));
        int windows = 0, entries = 0, passed = 0;
        foreach (var file in AltFiles.Append("BTC_USDT-5m.csv"))
        {
            var market = Bundled.Market(file);
            var candles = market.Candles.ToArray();
            for (var end = MarketSnapshot.SlowEmaPeriod + 1; end < candles.Length; end += 3)
            {
                var window = new ArraySegment<Candle>(candles, Math.Max(0, end - 60), Math.Min(60, end));
                var last = candles[end - 1];
                var spread = last.Close * 0.0002m;
                var ticker = new Ticker(market.Symbol, last.OpenTime, last.Close - spread, last.Close + spread, last.Close, last.High, last.Low, last.Volume);
                var snapshot = MarketSnapshot.Create(ticker, window);
                var proposal = await rules.ProposeAsync(new BrainRequest(snapshot, new PortfolioSnapshot(MarketSymbol.Quote(market.Symbol), 10_000m, 0, false, 0m), TradingStrategy.Scalping), CancellationToken.None);
                var decision = validator.Validate(proposal, snapshot, TradingStrategy.Scalping, DecisionSource.Scan, "d", last.OpenTime);
                var closes = window.Select(c => (double)c.Close).ToArray();
                var mayEnter = RulesBrain.MayEnter(
                    Ema(closes, 9), Ema(closes, 21), Atr(window), closes[^1], (double)ticker.Mid, 0.6m);
                windows++;
                passed += mayEnter ? 1 : 0;
                if (decision.IsEntry && decision.Confidence >= 0.6m)
                {
                    entries++;
                    Assert.True(mayEnter, $"{file} window ending {last.OpenTime:O}: the rule enters but the screen skipped it");
                }
            }
        }

        Assert.True(entries > 100, $"only {entries} entries: the check needs entries to mean something");
        Assert.True(passed < windows / 2, $"the screen let {passed} of {windows} windows through");
    }

    /// <summary>The sliding tables behind the screen equal the direct loops over each window (every bundled file, two window lengths).</summary>
    [Theory]
    [InlineData(60)]
    [InlineData(30)]
    public void Sliding_indicators_equal_the_direct_computation_over_every_window(int window)
    {
        var checkedWindows = 0;
        foreach (var file in AltFiles.Append("BTC_USDT-5m.csv"))
        {
            var candles = Bundled.Market(file).Candles;
            double[] close = [.. candles.Select(c => (double)c.Close)], high = [.. candles.Select(c => (double)c.High)], low = [.. candles.Select(c => (double)c.Low)];
            var sliding = SlidingIndicators.Build(close, high, low, window);
            for (var last = window - 1; last < candles.Count; last++)
            {
                var segment = new ArraySegment<Candle>([.. candles], last - window + 1, window);
                var closes = segment.Select(c => (double)c.Close).ToArray();
                Near(Ema(closes, 9), sliding.EmaFast[last], file, last);
                Near(Ema(closes, 21), sliding.EmaSlow[last], file, last);
                Near(Atr(segment), sliding.Atr[last], file, last);
                checkedWindows++;
            }
        }

        Assert.True(checkedWindows > 60_000);

        static void Near(double expected, double actual, string file, int last) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1d, Math.Abs(expected)), $"{file} window ending {last}: {actual} vs {expected}");
    }

    [Fact]
    public void The_screen_lets_through_a_volatility_just_over_the_floor_and_skips_one_clearly_under()
    {
        // EMA9 well above EMA21 and the close above both: only the volatility (ATR / mid, floor 0.05%) decides.
        const double mid = 20_000d;
        Assert.True(RulesBrain.MayEnter(20_010d, 20_000d, mid * 0.000500025, 20_015d, mid, 0.6m));
        Assert.True(RulesBrain.MayEnter(20_010d, 20_000d, mid * 0.0005, 20_015d, mid, 0.6m));
        Assert.False(RulesBrain.MayEnter(20_010d, 20_000d, mid * 0.00049, 20_015d, mid, 0.6m));
        Assert.False(RulesBrain.MayEnter(20_000d, 20_010d, mid * 0.001, 20_015d, mid, 0.6m));
    }

    private static async Task<BacktestReport> RunAsync(string name, string engine)
    {
        var btc = new BacktestMarket("BTC/USDT", "5m", Bundled.Btc);
        var settings = Bundled.Settings(btc);
        var scalping = new ScalpingOptions();
        var brain = new BrainOptions();
        var exchange = new PaperExchangeOptions();
        switch (name)
        {
            case "btc-conservative":
                ScalpingProfiles.Apply(scalping, ScalpingProfiles.Conservative);
                break;
            case "btc-aggressive":
                ScalpingProfiles.Apply(scalping, ScalpingProfiles.Aggressive);
                break;
            case "btc-trailing-break-even":
                scalping.TrailingStopPercent = 0.05m;
                scalping.BreakEvenTriggerPercent = 0.03m;
                scalping.PositionHoldTime = TimeSpan.FromMinutes(30);
                break;
            case "btc-tight-limits":
                scalping.MaxDailyLoss = 2m;
                scalping.MaxDrawdown = 1.5m;
                scalping.StopLossCooldown = TimeSpan.FromMinutes(30);
                scalping.MaxPositionSize = 400m;
                break;
            case "btc-no-pauses-long-hold":
                scalping.MaxConsecutiveLosses = 0;
                scalping.StopLossCooldown = TimeSpan.Zero;
                scalping.PositionHoldTime = TimeSpan.FromMinutes(45);
                scalping.MinConfidence = 0.7m;
                break;
            case "btc-range-and-8-checks":
                settings = settings with { From = Bundled.Btc[1500].OpenTime, To = Bundled.Btc[6500].OpenTime, ExitChecksPerCandle = 8 };
                break;
            case "btc-gaps-and-second-market":
            {
                var gappy = Bundled.Btc.Where((_, i) => i % 97 != 13 && i is < 4000 or > 4100).ToArray();
                var other = Bundled.Btc.Skip(2500).Take(5000).Select(c => c with { Open = c.Open / 10m, High = c.High / 10m, Low = c.Low / 10m, Close = c.Close / 10m })
                    .Where((_, i) => i is < 300 or > 340).ToArray();
                settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", gappy), new BacktestMarket("XYZ/USDT", "5m", other));
                scalping.MaxPositions = 1;
                break;
            }

            case "alts-default":
                settings = AltSettings();
                BtcAccount(scalping, exchange);
                break;
            case "alts-aggressive-thin-books":
                settings = AltSettings();
                ScalpingProfiles.Apply(scalping, ScalpingProfiles.Aggressive);
                BtcAccount(scalping, exchange);
                scalping.MaxPositionSize = 3m;
                exchange.BookLevelVolumeFraction = 0.0002m;
                break;
            case "btc-short-history":
                brain.HistoryCandles = 30;
                brain.MinConfidence = 0.5m;
                scalping.MinConfidence = 0.5m;
                break;
            case "usd-minutes-1m-brain":
                // Three minute markets on the same two days, the brain reading their own 1m candles (the fast path's case).
                settings = new BacktestSettings([.. new[] { "BTC", "ETH", "LTC" }.Select(b => Bundled.WithTick(new BacktestMarket($"{b}/USD", "1m", CandleCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", "coinbase", $"{b}_USD-1m.csv")))))], TimeSpan.FromMinutes(1), 10_000m, "USD", 0.1m, 0.02m);
                brain.Timeframe = "1m";
                exchange.QuoteCurrency = "USD";
                break;
            default:
                break;
        }

        return await Bundled.RunRulesAsync(engine, settings, scalping, brain, exchange);
    }

    private static BacktestSettings AltSettings() =>
        new([.. AltFiles.Select(Bundled.Market)], TimeSpan.FromMinutes(5), 100m, "BTC", 0.1m, 0.02m);

    /// <summary>Limits in BTC for a 100 BTC account (the defaults are USDT amounts).</summary>
    private static void BtcAccount(ScalpingOptions scalping, PaperExchangeOptions exchange)
    {
        exchange.StartingBalance = 100m;
        exchange.QuoteCurrency = "BTC";
        exchange.MinNotional = 0.0001m;
        scalping.MinOrderNotional = 0.001m;
        scalping.MaxPositionSize = 1m;
        scalping.MaxDailyLoss = 0.5m;
        scalping.MaxDrawdown = 0.75m;
    }

    private static double Ema(double[] closes, int period) => Indicators.EmaOf(closes, period)!.Value;

    private static double Atr(IReadOnlyList<Candle> candles)
    {
        double[] high = [.. candles.Select(c => (double)c.High)], low = [.. candles.Select(c => (double)c.Low)], close = [.. candles.Select(c => (double)c.Close)];
        return Indicators.AtrOf(high, low, close, MarketSnapshot.AtrPeriod)!.Value;
    }

    /// <summary>Cancels the run once progress passes a step (both paths report every 256 steps and stop before the next).</summary>
    private sealed class StopAt(int step, CancellationTokenSource stop) : IProgress<BacktestProgress>
    {
        public void Report(BacktestProgress value)
        {
            if (value.Step >= step)
            {
                stop.Cancel();
            }
        }
    }

    /// <summary>A brain that is not the rules brain (the fast path must refuse it).</summary>
    private sealed class StubModelBrain : ITradingBrain
    {
        public string Model => "stub-llm";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(TradeProposal.Hold("stub", string.Empty, Model));

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
