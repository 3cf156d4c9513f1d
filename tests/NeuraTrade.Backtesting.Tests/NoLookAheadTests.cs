using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Tools;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// At market time t the replay may show only candles closed before t and the part of the candle in force that its
/// documented path has already walked (docs/backtesting.md, "The price path inside a candle"): open for the first
/// quarter, then the first extreme (the low in candles whose open time is an even number of intervals from the Unix
/// epoch, the high in the others), then the other extreme, then the close for the last quarter. The test keeps its own
/// copy of that model to say what "the future" is at t, rewrites it at random (the rest of the candle in force, its
/// volume, every later candle, some of them dropped) and requires everything the engine, the brain and the tools see
/// at t to stay the same, over many instants of every bundled candle file.
/// </summary>
public sealed partial class NoLookAheadTests
{
    private static readonly Lazy<Bundle[]> Bundles = new(LoadBundles);

    [Fact]
    public async Task Nothing_the_engine_the_brain_or_a_tool_sees_at_t_changes_when_the_future_changes()
    {
        var bundles = Bundles.Value;
        int compared = 0, asked = 0, placed = 0;
        await Gen.Select(Gen.Int[0, bundles.Length - 1], Gen.Int[0, 999_999], Gen.Int[0, 7], Gen.Int).SampleAsync(async (file, where, instant, seed) =>
        {
            var bundle = bundles[file];
            var random = new Random(seed);
            var (index, t) = Instant(bundle, where, instant, random);
            var future = ChangeTheFuture(bundle, index, t, random);
            Assert.NotEqual(bundle.Market.Candles, future);

            var seen = await SeenAtAsync(bundle.Market, t);
            var seenWithAnotherFuture = await SeenAtAsync(bundle.Market with { Candles = future }, t);
            Assert.Equal(seen, seenWithAnotherFuture);
            asked += seen.Contains("brain: {", StringComparison.Ordinal) ? 1 : 0;
            placed += seen.Contains("\"placed\":true", StringComparison.Ordinal) ? 1 : 0;

            // Not vacuous: once the changed future is the past, what is seen differs.
            if (index + 1 < bundle.Market.Candles.Count)
            {
                var next = bundle.Market.Candles[index + 1];
                var later = next.OpenTime + bundle.Interval - TimeSpan.FromMilliseconds(1);
                Assert.NotEqual(await SeenAtAsync(bundle.Market, later), await SeenAtAsync(bundle.Market with { Candles = future }, later));
            }

            compared++;
        }, iter: 300, threads: 1);

        // The scan reached the brain and the tool's order filled in most cases, so their parts of what is seen were compared.
        Assert.True(compared >= 300);
        Assert.True(asked > compared / 2 && placed > compared / 2, $"brain asked in {asked}, order placed in {placed} of {compared} cases");
    }

    /// <summary>
    /// Everything that can be read at <paramref name="t"/>, as one text: the feed's answers (markets, ticker, order book,
    /// closed candles in the data's timeframe and in coarser ones made from it, the traded range since an earlier instant),
    /// one scan of the backtest engine with a brain that records what it was shown and buys, and the trading tools' answers
    /// (market data, candles, order book, portfolio, risk check, an order placed, the positions). Ids are masked (random).
    /// </summary>
    private static async Task<string> SeenAtAsync(BacktestMarket market, DateTimeOffset t)
    {
        var text = new StringBuilder();
        var interval = CandleSeries.ParseTimeframe(market.Timeframe);
        var symbol = market.Symbol;

        var feed = new BacktestMarketData([market], Options.Create(Account(symbol)), new ManualClock(t));
        Add(text, "markets", await feed.LoadMarketsAsync(CancellationToken.None));
        Add(text, "ticker", await feed.FetchTickerAsync(symbol, CancellationToken.None));
        Add(text, "book", await feed.FetchOrderBookAsync(symbol, null, CancellationToken.None));
        Add(text, "book5", await feed.FetchOrderBookAsync(symbol, 5, CancellationToken.None));
        Add(text, "ohlcv", await feed.FetchOhlcvAsync(symbol, market.Timeframe, null, 500, CancellationToken.None));
        Add(text, "ohlcv-since", await feed.FetchOhlcvAsync(symbol, market.Timeframe, t - (interval * 20), 500, CancellationToken.None));
        foreach (var coarser in new[] { 3, 5, 12 })
        {
            var timeframe = string.Create(CultureInfo.InvariantCulture, $"{(int)interval.TotalMinutes * coarser}m");
            Add(text, $"ohlcv-{timeframe}", await feed.FetchOhlcvAsync(symbol, timeframe, null, 100, CancellationToken.None));
        }

        var start = market.Candles[0].OpenTime;
        foreach (var back in new[] { interval / 3, interval * 2, interval * 7 })
        {
            if (t - back >= start)
            {
                Add(text, "range-since", await feed.PriceRangeSinceAsync(symbol, t - back, CancellationToken.None));
            }
        }

        await ScanAsync(text, market, t);
        await ToolsAsync(text, market, t);
        return Masked().Replace(text.ToString(), "<id>");
    }

    /// <summary>One scan of the backtest composition at <paramref name="t"/>, the brain recording what it is shown.</summary>
    private static async Task ScanAsync(StringBuilder text, BacktestMarket market, DateTimeOffset t)
    {
        var exchange = Account(market.Symbol);
        var settings = new BacktestSettings([market], CandleSeries.ParseTimeframe(market.Timeframe), exchange.StartingBalance, exchange.QuoteCurrency, 0.1m, 0.02m);
        var brain = new RecordingBrain();
        using var session = new SessionScope(BacktestSessionFactory.Create(settings, brain, Limits(market.Symbol), new BrainOptions(), exchange, new InMemoryLlmUsageLedger(), new ManualClock(t)));
        var scan = await session.Session.Engine.RunScanAsync(CancellationToken.None);
        Add(text, "scan", scan.Symbols.Select(s => new { s.Symbol, s.Outcome, Opened = s.Opened is { } p ? Seen(p) : null }));
        Add(text, "brain", string.Join('\n', brain.Requests));
        Add(text, "decisions", session.Session.Decisions.Log.Select(d => new { d.At, d.Symbol, d.Action, d.Confidence, d.Executed }));
        Add(text, "positions", session.Session.Positions.Open.Select(Seen));
        Add(text, "balances", session.Session.Account.Balances.OrderBy(kv => kv.Key, StringComparer.Ordinal));
    }

    /// <summary>The trading tools over the paper exchange on the replayed market at <paramref name="t"/>.</summary>
    private static async Task ToolsAsync(StringBuilder text, BacktestMarket market, DateTimeOffset t)
    {
        var clock = new ManualClock(t);
        var exchangeOptions = Options.Create(Account(market.Symbol));
        var scalping = Options.Create(Limits(market.Symbol));
        scalping.Value.Symbols = [market.Symbol];
        // The brain reads the data's own candles, as the app resolves an unset AI:Timeframe.
        var brainOptions = Options.Create(new BrainOptions { ExecutionTools = true, Timeframe = market.Timeframe });
        var decisions = new InMemoryDecisionStore();
        var positions = new InMemoryPositionStore();
        var state = new InMemoryScalpingStateStore(ScalpingState.Initial(true, t));
        using var exchange = new PaperExchange(new BacktestMarketData([market], exchangeOptions, clock), new InMemoryPaperAccountStore(), exchangeOptions, clock, NullLogger<PaperExchange>.Instance);
        using var desk = new TradeDesk(exchange, new RiskGate(scalping), decisions, positions, state, new InMemoryScanClaimStore(), scalping, clock, NullLogger<TradeDesk>.Instance,
            new InMemoryEntryAdmission(positions), new AccountValuation(exchange, exchangeOptions.Value.QuoteCurrency));
        var entries = new EntryPipeline(exchange, new DecisionValidator(brainOptions), new EntryReview(null), desk, new PortfolioReader(exchange, positions, state, clock), decisions, brainOptions, NullLogger<EntryPipeline>.Instance);
        var tools = new TradingToolbox(exchange, positions, state, desk, entries, scalping, brainOptions, clock).CreateRegistry();

        var ask = (await exchange.FetchTickerAsync(market.Symbol, CancellationToken.None)).Ask;
        var order = new AIFunctionArguments
        {
            ["symbol"] = market.Symbol,
            ["side"] = "buy",
            ["size_percent"] = 10m,
            ["stop_loss"] = Math.Round(ask * 0.99m, 8),
            ["take_profit"] = Math.Round(ask * 1.02m, 8),
            ["confidence"] = 0.8m,
            ["reasoning"] = "look-ahead probe",
        };
        Add(text, "get_market_data", await CallAsync(tools, "get_market_data", new() { ["symbol"] = market.Symbol }));
        Add(text, "get_candles", await CallAsync(tools, "get_candles", new() { ["symbol"] = market.Symbol, ["limit"] = 30 }));
        Add(text, "get_order_book", await CallAsync(tools, "get_order_book", new() { ["symbol"] = market.Symbol, ["limit"] = 10 }));
        Add(text, "get_portfolio", await CallAsync(tools, "get_portfolio", []));
        Add(text, "check_risk", await CallAsync(tools, "check_risk", order));
        Add(text, "place_order", await CallAsync(tools, "place_order", order));
        Add(text, "get_positions", await CallAsync(tools, "get_positions", []));
    }

    private static async Task<string> CallAsync(ToolRegistry tools, string name, AIFunctionArguments arguments) =>
        JsonSerializer.Serialize(await tools.Get(name)!.Function.InvokeAsync(arguments));

    private static object Seen(Position p) => new { p.Symbol, p.Side, p.Amount, p.EntryPrice, p.EntryFee, p.StopLoss, p.TakeProfit, p.OpenedAt };

    private static void Add(StringBuilder text, string what, object? value) =>
        text.Append(what).Append(": ").AppendLine(value as string ?? JsonSerializer.Serialize(value));

    /// <summary>A paper account in the market's quote currency (BTC-quoted markets get BTC-sized limits).</summary>
    private static PaperExchangeOptions Account(string symbol) =>
        MarketSymbol.Quote(symbol) == "BTC"
            ? new PaperExchangeOptions { QuoteCurrency = "BTC", StartingBalance = 100m, MinNotional = 0.0001m }
            : new PaperExchangeOptions { QuoteCurrency = MarketSymbol.Quote(symbol), StartingBalance = 10_000m };

    private static ScalpingOptions Limits(string symbol) =>
        MarketSymbol.Quote(symbol) == "BTC"
            ? new ScalpingOptions { MinOrderNotional = 0.001m, MaxPositionSize = 1m, MaxDailyLoss = 0.5m, MaxDrawdown = 0.75m }
            : new ScalpingOptions();

    /// <summary>
    /// An instant to look from: a candle's open, a quarter boundary (where the path steps), a millisecond either side of
    /// one (the last is the backtest's decision instant), anywhere inside the candle, or inside a gap in the data.
    /// </summary>
    private static (int Index, DateTimeOffset T) Instant(Bundle bundle, int where, int kind, Random random)
    {
        var candles = bundle.Market.Candles;
        var interval = bundle.Interval;
        var ms = TimeSpan.FromMilliseconds(1);
        if (kind == 7 && bundle.BeforeGaps.Length > 0)
        {
            var before = bundle.BeforeGaps[where % bundle.BeforeGaps.Length];
            var end = candles[before].OpenTime + interval;
            var gap = candles[before + 1].OpenTime - end;
            return (before, end + TimeSpan.FromMilliseconds(random.NextInt64(0, (long)gap.TotalMilliseconds)));
        }

        var index = (int)((long)where * candles.Count / 1_000_000);
        var open = candles[index].OpenTime;
        var quarter = random.Next(1, 4);
        return (index, kind switch
        {
            0 => open,
            1 => open + (interval * quarter / 4),
            2 => open + (interval * quarter / 4) - ms,
            3 => open + (interval * quarter / 4) + ms,
            4 => open + interval - ms,
            _ => open + TimeSpan.FromMilliseconds(random.NextInt64(0, (long)interval.TotalMilliseconds)),
        });
    }

    /// <summary>
    /// The data with another future at <paramref name="t"/>: the part of candle <paramref name="index"/> its path has not
    /// walked yet (see the class summary) and its volume redrawn, every later candle moved 1–10% up or down with a new
    /// volume, and one in ten of those after the next dropped. Prices stay on the market's tick.
    /// </summary>
    private static Candle[] ChangeTheFuture(Bundle bundle, int index, DateTimeOffset t, Random random)
    {
        var candles = bundle.Market.Candles;
        var interval = bundle.Interval;
        var tick = bundle.Tick;
        var result = new List<Candle>(candles.Count);
        result.AddRange(candles.Take(index));

        var c = candles[index];
        var elapsed = t - c.OpenTime;
        var volume = Math.Round(c.Volume * (decimal)(0.2 + (random.NextDouble() * 4.8)), 8) + 0.5m;
        if (elapsed >= interval)
        {
            result.Add(c);
        }
        else
        {
            var step = elapsed < TimeSpan.Zero ? 0 : (int)(elapsed.Ticks * 4 / interval.Ticks);
            var lowFirst = c.OpenTime.ToUnixTimeMilliseconds() / (long)interval.TotalMilliseconds % 2 == 0;
            var move = c.Open * (decimal)(0.001 + (random.NextDouble() * 0.03));
            decimal high = c.High, low = c.Low;
            if (step == 0 || (step == 1 && !lowFirst))
            {
                low = Down(Math.Min(c.Open, step == 0 ? c.Open : c.High) - (move * (decimal)random.NextDouble()), tick);
            }

            if (step == 0 || (step == 1 && lowFirst))
            {
                high = Up(Math.Max(c.Open, step == 0 ? c.Open : c.Low) + (move * (decimal)random.NextDouble()), tick);
            }

            var close = step == 3 ? c.Close : Math.Clamp(Near(low + ((high - low) * (decimal)random.NextDouble()), tick), low, high);
            result.Add(c with { High = high, Low = low, Close = close, Volume = volume });
        }

        for (var j = index + 1; j < candles.Count; j++)
        {
            if (j > index + 1 && random.Next(10) == 0)
            {
                continue;
            }

            var later = candles[j];
            var factor = (decimal)(random.Next(2) == 0 ? 0.90 + (random.NextDouble() * 0.09) : 1.01 + (random.NextDouble() * 0.09));
            decimal open = Near(later.Open * factor, tick), close = Near(later.Close * factor, tick);
            result.Add(later with
            {
                Open = open,
                High = Up(Math.Max(Math.Max(open, close), later.High * factor), tick),
                Low = Down(Math.Min(Math.Min(open, close), later.Low * factor), tick),
                Close = close,
                Volume = Math.Round(later.Volume * (decimal)(1.5 + (random.NextDouble() * 1.5)), 8) + 0.5m,
            });
        }

        return [.. result];
    }

    private static decimal Near(decimal price, decimal tick) => Math.Round(price / tick, MidpointRounding.AwayFromZero) * tick;

    private static decimal Up(decimal price, decimal tick) => Math.Ceiling(price / tick) * tick;

    private static decimal Down(decimal price, decimal tick) => Math.Max(tick, Math.Floor(price / tick) * tick);

    /// <summary>Every bundled candle file (data/candles, data/coinbase), with its market's tick.</summary>
    private static Bundle[] LoadBundles()
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data");
        var files = Directory.EnumerateFiles(Path.Combine(data, "candles"), "*.csv")
            .Concat(Directory.EnumerateFiles(Path.Combine(data, "coinbase"), "*.csv").Where(f => !f.EndsWith("-quotes.csv", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(files.Count >= 14, $"expected the bundled candle files, found {files.Count}");
        return [.. files.Select(file =>
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var dash = name.LastIndexOf('-');
            var symbol = name[..dash].Replace('_', '/');
            var timeframe = name[(dash + 1)..];
            var candles = CandleCsv.Read(file);
            var interval = CandleSeries.ParseTimeframe(timeframe);
            var market = Bundled.WithTick(new BacktestMarket(symbol, timeframe, candles) { Source = file });
            Assert.True(market.TickSize is not null, $"{symbol} is not in its folder's markets.json: its tick would be read from the whole file, future included");
            var beforeGaps = Enumerable.Range(0, candles.Count - 1).Where(i => candles[i + 1].OpenTime - candles[i].OpenTime > interval).ToArray();
            return new Bundle(market, interval, market.TickSize.Value, beforeGaps);
        })];
    }

    [GeneratedRegex("(?<![0-9a-f])([0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f])", RegexOptions.IgnoreCase)]
    private static partial Regex Masked();

    private sealed record Bundle(BacktestMarket Market, TimeSpan Interval, decimal Tick, int[] BeforeGaps);

    /// <summary>Disposes the session's exchange and desk.</summary>
    private sealed class SessionScope(BacktestSession session) : IDisposable
    {
        public BacktestSession Session { get; } = session;

        public void Dispose()
        {
            Session.Desk.Dispose();
            (Session.Exchange as IDisposable)?.Dispose();
        }
    }

    /// <summary>Records each request it is shown (market snapshot, portfolio) and proposes a long at the ask.</summary>
    private sealed class RecordingBrain : ITradingBrain
    {
        public List<string> Requests { get; } = [];

        public string Model => "recording";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            Requests.Add(JsonSerializer.Serialize(new { request.Market, request.Portfolio, request.Strategy, request.Source }));
            var ask = request.Market.Ticker.Ask;
            return Task.FromResult(new TradeProposal(TradeAction.Buy, 10m, ask, Math.Round(ask * 0.99m, 8), Math.Round(ask * 1.02m, 8), 0.8m, "probe", "probe", "probe", Model, 0));
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
