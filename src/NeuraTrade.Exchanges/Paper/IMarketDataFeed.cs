using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// Where the paper exchange gets its market from: a replay of bundled real candles (offline default) or a
/// venue's live public data. Fills are simulated by <see cref="PaperExchange"/> either way.
/// </summary>
public interface IMarketDataFeed
{
    /// <summary>Short id for logs: <c>replay</c>, <c>binance</c>.</summary>
    string Name { get; }

    IReadOnlyCollection<string> Symbols { get; }

    Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken);

    Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken);

    Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken);

    /// <summary>
    /// Lowest and highest traded price from <paramref name="since"/> until now, as far as the feed can tell
    /// (closed candles opened at or after <paramref name="since"/>, and the current quote). Decides whether a
    /// resting limit order was crossed.
    /// </summary>
    Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken);
}
