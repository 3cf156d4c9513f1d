using System.Globalization;
using CsCheck;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// Equivalence generated, not picked: over random cuts of every kind of bundled data (minute and 5-minute
/// BTC/USDT, X/BTC alts in a BTC account, the three Coinbase minute markets together), random profiles, fees, slippage,
/// hold times, exit-check counts, trailing and break-even stops, limits and both entry order types (market, and limits
/// at the ask placed immediate-or-cancel), the fast rules path must give the full
/// engine's report to the last digit. CsCheck shrinks a failure to its smallest case, printed with the first line of
/// the two JSON reports that differs.
/// </summary>
public sealed class FastPathPropertyTests
{
    private static readonly Lazy<Source[]> Sources = new(() =>
    [
        new("replay/BTC_USDT-1m", "USDT", [Load("replay", "BTC_USDT-1m.csv", "BTC/USDT", "1m")]),
        new("candles/BTC_USDT-5m", "USDT", [Load("candles", "BTC_USDT-5m.csv", "BTC/USDT", "5m")]),
        new("candles/ETH_BTC-5m", "BTC", [Load("candles", "ETH_BTC-5m.csv", "ETH/BTC", "5m")]),
        new("candles/XMR_BTC-5m + TRX_BTC-5m", "BTC", [Load("candles", "XMR_BTC-5m.csv", "XMR/BTC", "5m"), Load("candles", "TRX_BTC-5m.csv", "TRX/BTC", "5m")]),
        new("coinbase/{BTC,ETH,LTC}_USD-1m", "USD", [.. new[] { "BTC", "ETH", "LTC" }.Select(b => Load("coinbase", $"{b}_USD-1m.csv", $"{b}/USD", "1m"))]),
    ]);

    private static readonly Gen<Case> Cases =
        Gen.Select(
            Gen.Select(Gen.Int[0, 4], Gen.Int[0, 999_999], Gen.Int[200, 500], Gen.Int[0, 2], Gen.Int[0, 20], Gen.Int[0, 10], Gen.Int[1, 6], Gen.Int[2, 4]),
            Gen.Select(Gen.Int[0, 3], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[1, 3], Gen.Int[0, 1], Gen.Int[0, 1], Gen.Int[0, 3]),
            (a, b) => new Case(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, a.Item8, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6 == 1, b.Item7 == 1, b.Item8 == 3));

    [Fact]
    public async Task Over_random_markets_and_settings_the_fast_path_reports_exactly_what_the_full_engine_reports()
    {
        var runs = 0;
        var traded = 0;
        var limitTraded = 0;
        await Cases.SampleAsync(async c =>
        {
            var full = await RunAsync(c, BacktestEngines.Full);
            var fast = await RunAsync(c, BacktestEngines.Fast);
            var a = BacktestJson.Serialize(full);
            var b = BacktestJson.Serialize(fast);
            if (a != b || !full.Equity.SequenceEqual(fast.Equity))
            {
                var left = a.Split('\n');
                var right = b.Split('\n');
                var at = Enumerable.Range(0, Math.Min(left.Length, right.Length)).FirstOrDefault(i => left[i] != right[i], Math.Min(left.Length, right.Length));
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"{c}: the reports differ at line {at + 1}:\n full: {(at < left.Length ? left[at].Trim() : "(end)")}\n fast: {(at < right.Length ? right[at].Trim() : "(end)")}"));
            }

            runs++;
            traded += full.Metrics.Trades > 0 ? 1 : 0;
            limitTraded += c.LimitEntries && full.Metrics.Trades > 0 ? 1 : 0;
        }, iter: 200, threads: 1);

        // Not vacuous: most cases trade, so their exits, fills and PnL were compared too, limit entries among them.
        Assert.Equal(200, runs);
        Assert.True(traded > runs / 2, $"only {traded} of {runs} cases traded");
        Assert.True(limitTraded > runs / 5, $"only {limitTraded} of {runs} cases traded with limit entries");
    }

    private static Task<BacktestReport> RunAsync(Case c, string engine)
    {
        var source = Sources.Value[c.Source];
        var first = source.Markets[0].Candles;
        var start = (int)((long)c.Where * Math.Max(1, first.Count - c.Length) / 1_000_000);
        var from = first[start].OpenTime;
        var to = first[Math.Min(first.Count - 1, start + c.Length)].OpenTime;
        var markets = source.Markets.Select(m => m with { Candles = [.. m.Candles.Where(x => x.OpenTime >= from - TimeSpan.FromHours(6) && x.OpenTime <= to)] }).ToList();
        var interval = Timeframes.Parse(markets[0].Timeframe);
        var fee = c.Fee * 0.01m;
        var slippage = c.Slippage * 0.005m;
        var btc = source.Quote == "BTC";
        var settings = new BacktestSettings(markets, interval, btc ? 100m : 10_000m, source.Quote, fee, slippage, from, to) { ExitChecksPerCandle = 4 * c.Checks };

        var scalping = new ScalpingOptions();
        ScalpingProfiles.Apply(scalping, ScalpingProfiles.Names[c.Profile]);
        scalping.PositionHoldTime = interval * c.HoldCandles;
        scalping.FeePercent = fee;
        scalping.ExpectedSlippagePercent = slippage;
        scalping.TrailingStopPercent = c.Trailing switch { 1 => 0.05m, 2 => 0.1m, 3 => 0.3m, _ => 0m };
        scalping.BreakEvenTriggerPercent = c.BreakEven switch { 1 => 0.03m, 2 => 0.1m, _ => 0m };
        scalping.MinConfidence = c.Confidence switch { 1 => 0.55m, 2 => 0.7m, _ => 0.6m };
        scalping.MaxPositions = c.MaxPositions;
        if (c.NoPauses)
        {
            scalping.MaxConsecutiveLosses = 0;
            scalping.StopLossCooldown = TimeSpan.Zero;
        }

        // A thin book (one case in four) cuts entries to its depth and refuses some below the minimum order.
        var exchange = new PaperExchangeOptions { TakerFeePercent = fee, SlippagePercent = slippage, BookLevelVolumeFraction = c.ThinBook ? 0.00002m : 0.01m };
        if (btc)
        {
            exchange.QuoteCurrency = "BTC";
            exchange.MinNotional = 0.0001m;
            scalping.MinOrderNotional = 0.001m;
            scalping.MaxPositionSize = 1m;
            scalping.MaxDailyLoss = c.Limits == 1 ? 0.002m : 0.5m;
            scalping.MaxDrawdown = c.Limits == 1 ? 0.0015m : 0.75m;
        }
        else
        {
            exchange.QuoteCurrency = source.Quote;
            scalping.MaxDailyLoss = c.Limits == 1 ? 1m : 100m;
            scalping.MaxDrawdown = c.Limits == 1 ? 0.75m : 150m;
        }

        return Bundled.RunRulesAsync(engine, settings, scalping, new BrainOptions(), exchange, brain: new RulesBrain(entryOrder: c.LimitEntries ? OrderType.Limit : OrderType.Market));
    }

    private static BacktestMarket Load(string folder, string file, string symbol, string timeframe) =>
        Bundled.WithTick(new BacktestMarket(symbol, timeframe, CandleCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", folder, file))));

    private sealed record Source(string Name, string Quote, IReadOnlyList<BacktestMarket> Markets);

    /// <summary>One generated run; <see cref="ToString"/> is what a failure prints.</summary>
    private sealed record Case(int Source, int Where, int Length, int Profile, int Fee, int Slippage, int HoldCandles, int Checks, int Trailing, int BreakEven, int Limits, int Confidence, int MaxPositions, bool NoPauses, bool LimitEntries, bool ThinBook)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Sources.Value[Source].Name} from {Where / 10_000m}% for {Length} candles, {ScalpingProfiles.Names[Profile]}, fee {Fee * 0.01m}%, slippage {Slippage * 0.005m}%, hold {HoldCandles} candles, {4 * Checks} exit checks, trailing #{Trailing}, break-even #{BreakEven}, limits #{Limits}, confidence #{Confidence}, max positions {MaxPositions}, no pauses {NoPauses}, {(LimitEntries ? "limit" : "market")} entries, {(ThinBook ? "thin" : "normal")} book");
    }
}
