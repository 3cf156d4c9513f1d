using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// The paper replay as the engine reads it: <see cref="ReplayMarketData"/> reads the candle files at data time, and this
/// feed moves everything it answers to market time (candles, tickers and books by the lap's
/// <see cref="ReplayClock.DataOffset"/>, zero on the first lap), so a second lap's candles follow the first lap's
/// instead of repeating their dates.
/// </summary>
public sealed class ReplayFeed(ReplayMarketData data, ReplayClock clock) : IMarketDataFeed
{
    public string Name => data.Name;

    public IReadOnlyCollection<string> Symbols => data.Symbols;

    public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken) => data.LoadMarketsAsync(cancellationToken);

    public async Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken)
    {
        var offset = clock.DataOffset;
        var ticker = await data.FetchTickerAsync(symbol, cancellationToken);
        return offset == TimeSpan.Zero ? ticker : ticker with { Timestamp = ticker.Timestamp + offset };
    }

    public async Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken)
    {
        var offset = clock.DataOffset;
        var book = await data.FetchOrderBookAsync(symbol, limit, cancellationToken);
        return offset == TimeSpan.Zero ? book : book with { Timestamp = book.Timestamp + offset };
    }

    public async Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken)
    {
        var offset = clock.DataOffset;
        var candles = await data.FetchOhlcvAsync(symbol, timeframe, since - offset, limit, cancellationToken);
        return offset == TimeSpan.Zero ? candles : candles.Select(c => c with { OpenTime = c.OpenTime + offset }).ToArray();
    }

    /// <summary>
    /// The range since <paramref name="since"/> (market time); an order placed in an earlier lap sees only this lap's
    /// prices (the data before the restart is another market).
    /// </summary>
    public Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var dataSince = since - clock.DataOffset;
        return data.PriceRangeSinceAsync(symbol, dataSince < clock.DataStart ? clock.DataStart : dataSince, cancellationToken);
    }
}
