using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Trading;

/// <summary>
/// The exchange port, in ccxt's unified shape (fetchTicker, fetchOHLCV, createOrder, fetchBalance …)
/// so that a ccxt adapter can stand behind it. Symbols are unified <c>BASE/QUOTE</c>.
/// Failures are <see cref="ExchangeException"/> with a unified <see cref="ExchangeErrorType"/>.
/// </summary>
public interface IExchange
{
    /// <summary>Short id shown in logs and status, e.g. <c>paper-replay</c>.</summary>
    string Name { get; }

    /// <summary>Unified symbols this exchange can quote.</summary>
    IReadOnlyCollection<string> Markets { get; }

    Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken);

    /// <summary>Closed candles, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, int limit, CancellationToken cancellationToken);

    Task<Order> CreateOrderAsync(OrderRequest request, CancellationToken cancellationToken);

    Task<Balances> FetchBalanceAsync(CancellationToken cancellationToken);
}
