using System.Globalization;
using System.Text.Json;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// <c>neuratrade bench screen</c>: the share of model calls the economy screen (<c>Scalping:Screen</c>) saves on every
/// bundled market. Each market runs twice through the full engine with a paid stand-in brain that always holds (so no
/// position changes what the other pre-filters do): without the screen it is asked at every decision point the limits
/// allow, with it only where a target could clear the costs. Saved = 1 − asked with ÷ asked without, over all days and
/// over the quiet days (the half of the market's days with the smallest high-low range, read from the candles). Default
/// costs (0.1% fee and 0.02% slippage per leg, 0.02% net edge); hold 5 minutes on 5-minute data, 2 on minute data.
/// Then what the screen costs, as the arena measures it: the local stand-in model (a momentum buyer behind the real LLM
/// brain) with and without the screen, the unscreened trades it missed and the return it gave up or saved.
/// Counts, not timings: <c>--repeats</c> is ignored and the figures are the same on every machine.
/// </summary>
internal sealed class ScreenBenchmark : IBenchmark
{
    private static readonly string[] Folders = ["candles", "coinbase", "replay"];
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string Name => "screen";

    public string Description => "Share of LLM calls the economy screen saves on every bundled market (all days and quiet days).";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var rows = new List<ScreenRow>();
        foreach (var file in BundledFiles())
        {
            var market = BacktestCommand.LoadMarkets([file], null)[0];
            var asked = await AskedAsync(market, screen: false, cancellationToken);
            var screened = await AskedAsync(market, screen: true, cancellationToken);
            var quiet = QuietDays(market.Candles);
            var cost = ArenaBoard.Rank([await StandInAsync(market, screen: false, cancellationToken), await StandInAsync(market, screen: true, cancellationToken)]);
            var unscreened = cost.Single(r => !r.Screen);
            var row = new ScreenRow(
                market.Symbol,
                market.Timeframe,
                Path.GetFileName(Path.GetDirectoryName(file))!,
                market.Candles.Count,
                asked.Count,
                screened.Count,
                Saved(asked.Count, screened.Count),
                Saved(asked.Count(t => quiet.Contains(Day(t))), screened.Count(t => quiet.Contains(Day(t)))),
                unscreened.Trades,
                unscreened.MissedByScreen ?? 0,
                unscreened.ScreenReturnDelta ?? 0m);
            rows.Add(row);
            if (!settings.Json)
            {
                Console.WriteLine(F($"{row.Folder + "/" + row.Symbol,-20} {row.Timeframe,3} {row.Candles,7} candles: asked {row.AskedWithout,6} without the screen, {row.AskedWith,6} with it; saved {row.SavedPercent,5:0.0}% (quiet days {row.QuietSavedPercent,5:0.0}%); stand-in model: {row.StandInTrades,4} trades, {row.MissedTrades,3} missed with the screen, return {row.ReturnDelta,8:+0.####;-0.####;0} pp"));
            }
        }

        var total = Saved(rows.Sum(r => r.AskedWithout), rows.Sum(r => r.AskedWith));
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new { markets = rows, saved_percent = total }, Json));
        }
        else
        {
            Console.WriteLine(F($"economy screen: saved {total:0.0}% of the calls over all bundled markets"));
        }

        return 0;
    }

    /// <summary>When the paid stand-in was asked, over the whole market, with or without the screen.</summary>
    private static async Task<List<DateTimeOffset>> AskedAsync(BacktestMarket market, bool screen, CancellationToken cancellationToken)
    {
        var interval = CandleSeries.ParseTimeframe(market.Timeframe);
        var data = new BacktestSettings([market], interval, 10_000m, MarketSymbol.Quote(market.Symbol), 0.1m, 0.02m);
        var brain = new HoldingStandIn();
        var scalping = new ScalpingOptions { Screen = screen, PositionHoldTime = interval >= TimeSpan.FromMinutes(5) ? interval : TimeSpan.FromMinutes(2) };
        var session = BacktestSessionFactory.Create(data, brain, scalping, new BrainOptions(), new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(data));
        await new BacktestRunner(session, data).RunAsync(null, cancellationToken);
        return brain.Asked;
    }

    /// <summary>
    /// The arena's measure of what the screen costs (<see cref="ArenaBoard"/>): the local stand-in model (<see cref="StandInModel"/>,
    /// a momentum buyer behind the real LLM brain, prompt, validation and gate) over the market with or without the screen.
    /// </summary>
    private static async Task<ArenaRun> StandInAsync(BacktestMarket market, bool screen, CancellationToken cancellationToken)
    {
        var interval = CandleSeries.ParseTimeframe(market.Timeframe);
        var quote = MarketSymbol.Quote(market.Symbol);
        var data = new BacktestSettings([market], interval, 10_000m, quote, 0.1m, 0.02m);
        var scalping = new ScalpingOptions { Screen = screen, PositionHoldTime = interval >= TimeSpan.FromMinutes(5) ? interval : TimeSpan.FromMinutes(2) };
        var endpoint = new LlmEndpoint("openai", "gpt-4o-mini", true);
        var brainOptions = new BrainOptions { Provider = endpoint.Provider, Model = endpoint.Model };
        var clock = BacktestSessionFactory.ClockFor(data);
        var ledger = new InMemoryLlmUsageLedger();
        var brain = BacktestBrains.Llm(new StandInModel(), endpoint, brainOptions, clock, ledger, anonymize: true);
        var exchange = new PaperExchangeOptions { QuoteCurrency = quote };
        var session = BacktestSessionFactory.Create(data, brain, scalping, brainOptions, exchange, ledger, clock);
        var run = await new BacktestRunner(session, data).RunAsync(null, cancellationToken);
        return new ArenaRun(screen ? "stand-in" : "stand-in (no screen)", "stand-in", screen, BacktestReport.Create(run, ScalpingProfiles.Default, null));
    }

    /// <summary>The half of the market's UTC days (those with at least 12 candles) with the smallest high-low range relative to the open.</summary>
    internal static HashSet<DateOnly> QuietDays(IReadOnlyList<Candle> candles)
    {
        var days = candles.GroupBy(c => Day(c.OpenTime))
            .Where(g => g.Count() >= 12 && g.First().Open > 0m)
            .Select(g => (Day: g.Key, Range: (g.Max(c => c.High) - g.Min(c => c.Low)) / g.First().Open))
            .OrderBy(d => d.Range)
            .ThenBy(d => d.Day)
            .ToList();
        return days.Take(days.Count / 2).Select(d => d.Day).ToHashSet();
    }

    private static decimal Saved(int without, int with) => without == 0 ? 0m : Math.Round(100m * (without - with) / without, 1);

    private static DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.UtcDateTime);

    private static IEnumerable<string> BundledFiles()
    {
        var root = DataRoot();
        return Folders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.csv"))
            .Where(f => !f.EndsWith("-quotes.csv", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    private static string DataRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "data", "candles")))
                {
                    return Path.Combine(dir.FullName, "data");
                }
            }
        }

        throw new DirectoryNotFoundException("data/candles not found above the working folder");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <param name="StandInTrades">Trades of the stand-in model (momentum buyer) without the screen.</param>
    /// <param name="MissedTrades">Of those, the ones the same model did not make with the screen (<see cref="ArenaRow.MissedByScreen"/>).</param>
    /// <param name="ReturnDelta">The screened run's net return less the unscreened one's, percentage points.</param>
    internal sealed record ScreenRow(string Symbol, string Timeframe, string Folder, int Candles, int AskedWithout, int AskedWith, decimal SavedPercent, decimal QuietSavedPercent, int StandInTrades, int MissedTrades, decimal ReturnDelta);

    /// <summary>A paid brain's stand-in (not the rules brain, so the screen stands in front of it) that always holds and notes when it was asked.</summary>
    private sealed class HoldingStandIn : ITradingBrain
    {
        public List<DateTimeOffset> Asked { get; } = [];

        public string Model => "paid-stand-in";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            Asked.Add(request.Market.Ticker.Timestamp);
            return Task.FromResult(TradeProposal.Hold("stand-in", string.Empty, Model, 0.5m));
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) =>
            Task.FromException<MarketAnalysis>(new NotSupportedException("the screen bench only proposes"));
    }
}
