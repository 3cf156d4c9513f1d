using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Trading;

/// <summary>
/// The exchange port, in ccxt's unified shape (fetchTicker, fetchOrderBook, fetchOHLCV, fetchBalance,
/// createOrder, cancelOrder, fetchOrder, fetchOpenOrders, fetchMyTrades, loadMarkets) so that any venue,
/// or a ccxt adapter, can stand behind it. Symbols are unified <c>BASE/QUOTE</c>. Failures are
/// <see cref="ExchangeException"/> with a unified <see cref="ExchangeErrorType"/>: callers never parse vendor text.
/// </summary>
public interface IExchange
{
    /// <summary>Short id shown in logs and status, e.g. <c>paper-replay</c>, <c>binance-testnet</c>.</summary>
    string Name { get; }

    /// <summary>Whether orders are simulated (paper), sent to a test venue (testnet), or real (live).</summary>
    TradingMode Mode { get; }

    /// <summary>Unified symbols this exchange can quote (those known so far for a venue that loads them lazily).</summary>
    IReadOnlyCollection<string> Markets { get; }

    /// <summary>Market metadata (precision, limits) by unified symbol; loaded once and cached by the adapter.</summary>
    Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken);

    Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken);

    /// <summary>Bids best (highest) first, asks best (lowest) first; at most <paramref name="limit"/> levels a side when given.</summary>
    Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken);

    /// <summary>Closed candles, oldest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, int limit, CancellationToken cancellationToken) =>
        FetchOhlcvAsync(symbol, timeframe, null, limit, cancellationToken);

    /// <summary>
    /// Closed candles, oldest first: from <paramref name="since"/> (candle open time) when given, else the latest;
    /// at most <paramref name="limit"/> (the venue's default when null). The candle still forming is never returned.
    /// </summary>
    Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken);

    Task<Balances> FetchBalanceAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Places an order. Amount and price are rounded to the market's step and tick sizes; an order below the
    /// market's minimum amount or notional is an <see cref="ExchangeErrorType.InvalidOrder"/> and is not sent.
    /// The same <see cref="OrderRequest.ClientOrderId"/> twice places one order.
    /// </summary>
    Task<Order> CreateOrderAsync(OrderRequest request, CancellationToken cancellationToken);

    /// <summary>Cancels an open order; <see cref="ExchangeErrorType.OrderNotFound"/> when there is no such open order.</summary>
    Task<Order> CancelOrderAsync(string id, string symbol, CancellationToken cancellationToken);

    /// <summary>One order by exchange id; <see cref="ExchangeErrorType.OrderNotFound"/> when unknown.</summary>
    Task<Order> FetchOrderAsync(string id, string symbol, CancellationToken cancellationToken);

    /// <summary>
    /// One order by the client order id this app gave it (ccxt: fetchOrder with <c>origClientOrderId</c>); null when the
    /// venue has no such order. An exit retried after a crash asks this first, so a filled order is never sent twice
    /// (Binance refuses a duplicate client id only while the first order is still open).
    /// </summary>
    Task<Order?> FetchOrderByClientIdAsync(string clientOrderId, string symbol, CancellationToken cancellationToken);

    /// <summary>Open orders of one market, or of all markets when <paramref name="symbol"/> is null.</summary>
    Task<IReadOnlyList<Order>> FetchOpenOrdersAsync(string? symbol, CancellationToken cancellationToken);

    /// <summary>The account's own fills in one market, oldest first.</summary>
    Task<IReadOnlyList<Trade>> FetchMyTradesAsync(string symbol, DateTimeOffset? since, int? limit, CancellationToken cancellationToken);
}
