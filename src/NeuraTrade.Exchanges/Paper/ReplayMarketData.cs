using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// Market data from the replay of bundled real candles, read at the clock's time (the data's own time: the market
/// clock maps wall time to it, <see cref="ReplayClock"/>). Quotes: the in-candle price path of
/// <see cref="CandleSeries.PriceWithin"/> with a modelled spread of
/// <c>max(MinSpreadPercent, RangeSpreadFactor × (high − low) / close)</c> around it. Order book: see
/// <see cref="ModelOrderBook"/>. Candles: the closed ones in the data's timeframe, or in a whole multiple of it made from
/// them (<see cref="ResampledCandles"/>: 5m candles from 1m data); a finer timeframe, or one that is not a whole
/// multiple, is refused.
/// </summary>
public sealed class ReplayMarketData(CandleReplay replay, IOptions<PaperExchangeOptions> options, TimeProvider time) : IMarketDataFeed
{
    private readonly PaperExchangeOptions _options = options.Value;

    public string Name => "replay";

    public IReadOnlyCollection<string> Symbols => replay.Symbols;

    public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyDictionary<string, MarketInfo> markets = replay.Symbols.ToDictionary(
            s => s,
            s => new MarketInfo(s, s.Replace("/", string.Empty, StringComparison.Ordinal), MarketSymbol.Base(s), MarketSymbol.Quote(s), true,
                _options.AmountStep, _options.TickSize, null, null, _options.MinNotional),
            StringComparer.Ordinal);
        return Task.FromResult(markets);
    }

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken) =>
        Task.FromResult(TickerAt(symbol, time.GetUtcNow()));

    public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var series = Series(symbol, now);
        var candle = series.Candles[series.IndexAt(now)];
        return Task.FromResult(ModelOrderBook(TickerAt(symbol, now), candle, _options, limit));
    }

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken)
    {
        var marketTime = time.GetUtcNow();
        var series = Series(symbol, marketTime);
        var take = Math.Max(0, limit ?? 500);
        if (!string.Equals(timeframe, series.Timeframe, StringComparison.Ordinal))
        {
            string? why;
            try
            {
                why = ResampledCandles.Unservable(series.Timeframe, timeframe);
            }
            catch (FormatException ex)
            {
                why = ex.Message;
            }

            return why is null
                ? Task.FromResult(series.Resampled(timeframe).Closed(marketTime, since, take))
                : throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"{symbol} is replayed in {series.Timeframe} candles: {why}");
        }

        var current = series.IndexAt(marketTime);

        // Only closed candles: the one in force at market time is still forming.
        var lastClosed = series.Candles[current].OpenTime + series.Interval <= marketTime ? current : current - 1;
        if (lastClosed < 0)
        {
            return Task.FromResult<IReadOnlyList<Candle>>([]);
        }

        IReadOnlyList<Candle> result = since is { } from
            ? series.Candles.Take(lastClosed + 1).Where(c => c.OpenTime >= from).Take(take).ToArray()
            : series.Candles.Skip(Math.Max(0, lastClosed - take + 1)).Take(Math.Min(take, lastClosed + 1)).ToArray();
        return Task.FromResult(result);
    }

    public Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Orders carry the market clock's time, the same clock the candles are read at.
        var marketNow = time.GetUtcNow();
        var series = Series(symbol, marketNow);
        var ticker = TickerAt(symbol, marketNow);
        var low = ticker.Ask;
        var high = ticker.Bid;
        foreach (var c in series.Candles.Skip(series.IndexAt(since)).TakeWhile(c => c.OpenTime + series.Interval <= marketNow))
        {
            if (c.OpenTime >= since)
            {
                low = Math.Min(low, c.Low);
                high = Math.Max(high, c.High);
            }
        }

        return Task.FromResult((low, high));
    }

    /// <summary>
    /// The modelled book: <c>BookLevels</c> levels a side, the best at the modelled bid/ask, each further level
    /// <c>BookLevelStepPercent</c> of the price away, each holding <c>BookLevelVolumeFraction</c> of the current
    /// candle's base volume (or <c>BookFallbackLevelNotional</c> worth when the candle has no volume).
    /// Thin candles make a thin book, so large orders walk it and pay for it.
    /// </summary>
    /// <param name="takerSide">When given, only the side a taker of that side walks is built (asks for a buy, bids for a
    /// sell) and the other is left empty: what a market order needs, at half the cost (the fast backtest path).</param>
    public static OrderBook ModelOrderBook(Ticker ticker, Candle candle, PaperExchangeOptions options, int? limit, OrderSide? takerSide = null)
    {
        var levels = Math.Min(options.BookLevels, limit ?? int.MaxValue);
        // A candle with no volume, or so little that a level would round to nothing, gets the fallback depth: a level of
        // size zero would fill nothing and leave the order a fill of zero.
        var amount = Math.Round(candle.Volume * options.BookLevelVolumeFraction, 8, MidpointRounding.ToZero);
        if (amount <= 0m && ticker.Last > 0m)
        {
            amount = Math.Round(options.BookFallbackLevelNotional / ticker.Last, 8, MidpointRounding.ToZero);
        }
        var step = ticker.Last * options.BookLevelStepPercent / 100m;
        var bids = new List<OrderBookLevel>(levels);
        var asks = new List<OrderBookLevel>(levels);
        for (var k = 0; k < levels; k++)
        {
            if (takerSide != OrderSide.Buy && Round(ticker.Bid - (k * step)) is var bid && bid > 0m)
            {
                bids.Add(new OrderBookLevel(bid, amount));
            }

            if (takerSide != OrderSide.Sell)
            {
                asks.Add(new OrderBookLevel(Round(ticker.Ask + (k * step)), amount));
            }
        }

        return new OrderBook(ticker.Symbol, bids, asks, ticker.Timestamp, null);
    }

    /// <summary>
    /// The modelled quote inside <paramref name="candle"/> at <paramref name="marketTime"/>: the in-candle price path with
    /// the spread <c>max(MinSpreadPercent, RangeSpreadFactor × range%)</c> around it. Shared with the fast backtest path.
    /// </summary>
    public static Ticker Quote(string symbol, Candle candle, TimeSpan interval, DateTimeOffset marketTime, PaperExchangeOptions options)
    {
        var price = CandleSeries.PriceWithin(candle, interval, marketTime);
        var rangePercent = candle.Close == 0m ? 0m : (candle.High - candle.Low) / candle.Close * 100m;
        var spreadPercent = Math.Max(options.MinSpreadPercent, options.RangeSpreadFactor * rangePercent);
        var half = price * spreadPercent / 200m;
        return new Ticker(symbol, marketTime, Round(price - half), Round(price + half), Round(price), candle.High, candle.Low, candle.Volume, Open: candle.Open);
    }

    internal Ticker TickerAt(string symbol, DateTimeOffset marketTime)
    {
        var series = Series(symbol, marketTime);
        return Quote(symbol, series.Candles[series.IndexAt(marketTime)], series.Interval, marketTime, _options);
    }

    /// <summary>Quotes carry 8 decimals, like the exchange's own precision at most.</summary>
    private static decimal Round(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The series of <paramref name="symbol"/>, which must have started by <paramref name="marketTime"/>. After its last
    /// candle the market stays at that candle's close (the engine closes positions there: <c>end_of_data</c>).
    /// </summary>
    private CandleSeries Series(string symbol, DateTimeOffset marketTime)
    {
        if (!replay.TryGetSeries(symbol, out var series))
        {
            throw new ExchangeException(ExchangeErrorType.BadSymbol, $"no replay data for {symbol} (markets: {string.Join(", ", replay.Symbols)})");
        }

        return marketTime >= series.Start
            ? series
            : throw new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, $"{symbol} has no replay data yet at {marketTime:yyyy-MM-dd HH:mm:ss} (its data starts {series.Start:yyyy-MM-dd HH:mm})");
    }
}
