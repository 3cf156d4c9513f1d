using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Exchanges;

/// <summary>The arbitrage venues as built: each with its own exchange port, what each paper venue started with, and their market clock.</summary>
public sealed record ArbitrageVenueSet(IReadOnlyList<ArbitrageVenue> Venues, IReadOnlyList<VenueStart> Starts, IMarketReplay Clock);

/// <summary>
/// Builds one <see cref="IExchange"/> per <c>Arbitrage:Venues:N</c> (or the bundled pair). A <c>paper</c> venue is a
/// <see cref="PaperExchange"/> over its own replay directory, with its own account (<paramref name="accounts"/>, one per
/// venue name) that starts with <c>StartingValue</c> in the reference currency, half in base at the first candle's open and
/// half in quote. Every paper venue reads its files on ONE market clock of their own: a second <see cref="ReplayClock"/> over
/// all the venues' data, with its own stored anchor (<see cref="AnchorRow"/>, so several processes agree) and the
/// <c>Exchange</c> section's speed, anchor and loop, so both venues always show the same minute (no look-ahead on one of them).
/// It is not the app's clock: the scalper's replay (data/replay) is another period. A <c>binance</c> venue is the Binance
/// adapter (<paramref name="binance"/>, the keys and mode as for scalping), on the wall clock.
/// </summary>
public static class ArbitrageVenues
{
    /// <summary>The arbitrage clock's anchor row (beside the scalper's <c>replay/anchor</c>).</summary>
    public const string AnchorRow = "arbitrage-anchor";

    public static ArbitrageVenueSet Build(
        ArbitrageOptions options,
        PaperExchangeOptions exchange,
        IReplayAnchorStore anchors,
        WallClock wall,
        Func<string, IPaperAccountStore> accounts,
        Func<IExchange> binance,
        ILoggerFactory logs)
    {
        var configured = options.EffectiveVenues;
        var replays = configured
            .Where(v => v.Exchange == "paper")
            .ToDictionary(v => v.Name, v => CandleReplay.Load(ResolvePath(v.ReplayDirectory ?? throw new InvalidOperationException($"Arbitrage venue {v.Name} is paper: set its ReplayDirectory"))), StringComparer.Ordinal);
        ReplayClock? clock = null;
        if (replays.Count > 0)
        {
            var all = new CandleReplay(replays.Values.SelectMany(r => r.Series).DistinctBy(s => s.Symbol));
            clock = new ReplayClock(all, configured.Where(v => v.Exchange == "paper").Select(v => Normalize(v.Symbol)), anchors, exchange, wall, logs.CreateLogger<ReplayClock>());
        }

        var venues = new List<ArbitrageVenue>();
        var starts = new List<VenueStart>();
        foreach (var v in configured)
        {
            var symbol = Normalize(v.Symbol);
            var rate = options.RateOf(MarketSymbol.Quote(symbol)) ?? throw new InvalidOperationException($"Arbitrage:QuoteRates:{MarketSymbol.Quote(symbol)} is not set");
            if (v.Exchange != "paper")
            {
                venues.Add(new ArbitrageVenue(v.Name, binance(), symbol, v.TakerFeePercent, v.SlippagePercent, rate));
                continue;
            }

            var replay = replays[v.Name];
            if (!replay.TryGetSeries(symbol, out var series))
            {
                throw new InvalidOperationException($"Arbitrage venue {v.Name}: {v.ReplayDirectory} holds no {symbol} candles (markets: {string.Join(", ", replay.Symbols)})");
            }

            var half = v.StartingValue / 2m;
            var start = new VenueStart(
                v.Name,
                Math.Round(half / (series.Candles[0].Open * rate), 8, MidpointRounding.ToZero),
                Math.Round(half / rate, 8, MidpointRounding.ToZero));
            var own = VenueOptions(exchange, v, symbol, start);
            var feed = new ReplayFeed(new ReplayMarketData(replay, Options.Create(own), clock!.DataTime), clock);
            venues.Add(new ArbitrageVenue(v.Name, new PaperExchange(feed, accounts(v.Name), Options.Create(own), clock, logs.CreateLogger<PaperExchange>()), symbol, v.TakerFeePercent, v.SlippagePercent, rate));
            starts.Add(start);
        }

        return new ArbitrageVenueSet(venues, starts, (IMarketReplay?)clock ?? LiveMarket.Instance);
    }

    /// <summary>The paper account of one venue: the app's book model and order rules, the venue's own fees, market and opening balances; fees in quote.</summary>
    private static PaperExchangeOptions VenueOptions(PaperExchangeOptions app, ArbitrageVenueOptions venue, string symbol, VenueStart start) => new()
    {
        MarketData = "replay",
        ReplayDirectory = venue.ReplayDirectory!,
        ReplaySpeed = app.ReplaySpeed,
        ReplayAnchor = app.ReplayAnchor,
        ReplayLoop = app.ReplayLoop,
        QuoteCurrency = MarketSymbol.Quote(symbol),
        StartingBalance = start.Quote,
        StartingBalances = new Dictionary<string, decimal>(StringComparer.Ordinal) { [MarketSymbol.Base(symbol)] = start.Base },
        FeeAsset = FeeAssets.Quote,
        TakerFeePercent = venue.TakerFeePercent,
        MakerFeePercent = venue.TakerFeePercent,
        SlippagePercent = venue.SlippagePercent,
        RangeSpreadFactor = app.RangeSpreadFactor,
        MinNotional = app.MinNotional,
        AmountStep = app.AmountStep,
        BookLevels = app.BookLevels,
        BookLevelStepPercent = app.BookLevelStepPercent,
        BookLevelVolumeFraction = app.BookLevelVolumeFraction,
        BookFallbackLevelNotional = app.BookFallbackLevelNotional,
    };

    private static string Normalize(string symbol) => MarketSymbol.TryNormalize(symbol, out var s) ? s : symbol;

    private static string ResolvePath(string path) => Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
}
