using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// Market data from the replay of bundled real candles, read at the clock's time (the data's own time: the market
/// clock maps wall time to it, <see cref="ReplayClock"/>). What it shows at market time t depends only on the candles closed
/// before t and on the part of the candle in force that its price path (<see cref="CandleSeries.PriceWithin"/>) has
/// walked by t; nothing later (docs/exchanges.md, "Replay quotes"). Quotes: see <see cref="Quote"/>. Order book: see
/// <see cref="ModelOrderBook"/>. Candles: the closed ones in the data's timeframe, or in a whole multiple of it made from
/// them (<see cref="ResampledCandles"/>: 5m candles from 1m data); a finer timeframe, or one that is not a whole multiple,
/// is refused. Markets: the series' price tick (<see cref="MarketTicks"/>), amount step and minimum notional from the
/// <c>Exchange</c> options.
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
                _options.AmountStep, Lookup(s).TickSize, null, null, _options.MinNotional),
            StringComparer.Ordinal);
        return Task.FromResult(markets);
    }

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken) =>
        Task.FromResult(TickerAt(symbol, time.GetUtcNow()));

    public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken) =>
        Task.FromResult(ModelOrderBook(TickerAt(symbol, time.GetUtcNow()), _options, limit));

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
    /// <c>BookLevelStepPercent</c> of the price away, each holding <c>BookLevelVolumeFraction</c> of the ticker's base
    /// volume, which in the replay is the last closed candle's (the candle in force has not finished trading: its volume
    /// is known only when it closes), or <c>BookFallbackLevelNotional</c> worth when there is no volume. Thin candles make a
    /// thin book, so large orders walk it and pay for it.
    /// </summary>
    /// <param name="takerSide">When given, only the side a taker of that side walks is built (asks for a buy, bids for a
    /// sell) and the other is left empty: what a market order needs, at half the cost (the fast backtest path).</param>
    public static OrderBook ModelOrderBook(Ticker ticker, PaperExchangeOptions options, int? limit, OrderSide? takerSide = null)
    {
        var levels = Math.Min(options.BookLevels, limit ?? int.MaxValue);
        // No volume, or so little that a level would round to nothing, gets the fallback depth: a level of size zero
        // would fill nothing and leave the order a fill of zero.
        var amount = Math.Round(ticker.BaseVolume * options.BookLevelVolumeFraction, 8, MidpointRounding.ToZero);
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
    /// The modelled quote at <paramref name="marketTime"/>, candle <paramref name="index"/> of <paramref name="series"/> in
    /// force (<see cref="CandleSeries.IndexAt"/>). Last: the path price (<see cref="CandleSeries.PriceWithin"/>). Bid and ask:
    /// half the spread (<see cref="SpreadAt"/>) either side of it, not snapped to the tick (with a one-tick spread they sit
    /// half a tick off, the average of a trade at the bid and one at the ask). Open, high and low: the candle so far on the
    /// path (<see cref="CandleSeries.ExtremesWithin"/>). Base volume: the last closed candle's. Shared with the fast backtest
    /// path.
    /// </summary>
    public static Ticker Quote(CandleSeries series, int index, DateTimeOffset marketTime, PaperExchangeOptions options)
    {
        var candle = series.Candles[index];
        var price = CandleSeries.PriceWithin(candle, series.Interval, marketTime);
        var (high, low) = CandleSeries.ExtremesWithin(candle, series.Interval, marketTime);
        var closed = series.LastClosed(index, marketTime);
        var half = SpreadAt(series, closed, options) / 2m;
        var volume = closed >= 0 ? series.Candles[closed].Volume : 0m;
        return new Ticker(series.Symbol, marketTime, Round(price - half), Round(price + half), Round(price), high, low, volume, Open: candle.Open);
    }

    /// <summary>
    /// The modelled bid/ask spread, in quote currency, while candle <paramref name="lastClosed"/> is the last closed one:
    /// one tick, widened by <c>RangeSpreadFactor</c> × that candle's high − low when the factor is set, rounded up to whole
    /// ticks. The tick is the floor because no venue quotes narrower; measured against Coinbase's real best bid/ask minute
    /// bars, the median spread is one tick on BTC/USD, ETH/USD and LTC/USD whatever the range (docs/exchanges.md).
    /// </summary>
    public static decimal SpreadAt(CandleSeries series, int lastClosed, PaperExchangeOptions options)
    {
        var tick = series.TickSize;
        if (options.RangeSpreadFactor <= 0m || lastClosed < 0)
        {
            return tick;
        }

        var candle = series.Candles[lastClosed];
        return Math.Max(1m, Math.Ceiling(options.RangeSpreadFactor * (candle.High - candle.Low) / tick)) * tick;
    }

    internal Ticker TickerAt(string symbol, DateTimeOffset marketTime)
    {
        var series = Series(symbol, marketTime);
        return Quote(series, series.IndexAt(marketTime), marketTime, _options);
    }

    private CandleSeries Lookup(string symbol) =>
        replay.TryGetSeries(symbol, out var series)
            ? series
            : throw new ExchangeException(ExchangeErrorType.BadSymbol, $"no replay data for {symbol} (markets: {string.Join(", ", replay.Symbols)})");

    /// <summary>Quotes carry 8 decimals, like the exchange's own precision at most.</summary>
    private static decimal Round(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The series of <paramref name="symbol"/>, which must have started by <paramref name="marketTime"/>. After its last
    /// candle the market stays at that candle's close (the engine closes positions there: <c>end_of_data</c>).
    /// </summary>
    private CandleSeries Series(string symbol, DateTimeOffset marketTime)
    {
        var series = Lookup(symbol);
        return marketTime >= series.Start
            ? series
            : throw new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, $"{symbol} has no replay data yet at {marketTime:yyyy-MM-dd HH:mm:ss} (its data starts {series.Start:yyyy-MM-dd HH:mm})");
    }
}
