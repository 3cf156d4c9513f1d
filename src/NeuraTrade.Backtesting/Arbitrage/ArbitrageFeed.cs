using NeuraTrade.Core.Markets;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Arbitrage;

/// <summary>
/// One venue's history for an arbitrage backtest: its minute candles, its real quote bars where it has them, its price
/// tick and costs, and what it starts with (in the reference currency, half in base and half in quote).
/// </summary>
public sealed record ArbitrageFeed(
    string Venue,
    string Symbol,
    IReadOnlyList<Candle> Candles,
    IReadOnlyList<QuoteBar> Quotes,
    decimal TickSize,
    decimal TakerFeePercent,
    decimal SlippagePercent,
    decimal QuoteRate,
    decimal StartingValue)
{
    /// <summary>Where the candles came from (the report names it).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>The venue a candle file belongs to when nothing names it: the folder it lies in (<c>data/arbitrage/bybit/…</c>: bybit).</summary>
    public static string VenueOf(string candleFile) => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(candleFile)))!;

    /// <summary>
    /// Reads a venue's candle file <c>BASE_QUOTE-1m.csv</c>, its quote bars beside it when there are any
    /// (<c>BASE_QUOTE-1m-quotes.csv</c>) and its tick from the folder's <c>markets.json</c> (else the tick its prices show).
    /// </summary>
    public static ArbitrageFeed Load(string candleFile, string venue, decimal takerFeePercent, decimal slippagePercent, Func<string, decimal?> rateOf, decimal startingValue)
    {
        var name = Path.GetFileNameWithoutExtension(candleFile);
        var dash = name.LastIndexOf('-');
        if (dash <= 0 || !MarketSymbol.TryNormalize(name[..dash].Replace('_', '/'), out var symbol))
        {
            throw new FormatException($"'{candleFile}': name it BASE_QUOTE-1m.csv");
        }

        if (name[(dash + 1)..] != "1m")
        {
            throw new FormatException($"'{candleFile}': an arbitrage backtest replays minute candles (BASE_QUOTE-1m.csv)");
        }

        var quote = MarketSymbol.Quote(symbol);
        var rate = rateOf(quote) ?? throw new InvalidOperationException($"{symbol} on {venue} is quoted in {quote}, which has no rate: set Arbitrage:QuoteRates:{quote} (e.g. 1 for a dollar stablecoin)");
        var candles = CandleCsv.Read(candleFile);
        var quotesFile = QuoteBarCsv.BesideCandles(candleFile);
        var quotes = File.Exists(quotesFile) ? QuoteBarCsv.Read(quotesFile) : [];
        var ticks = MarketTicks.Load(Path.GetDirectoryName(Path.GetFullPath(candleFile))!);
        var tick = ticks.TryGetValue(symbol, out var known) ? known : MarketTicks.Inferred(candles);
        return new ArbitrageFeed(venue, symbol, candles, quotes, tick, takerFeePercent, slippagePercent, rate, startingValue) { Source = candleFile };
    }
}
