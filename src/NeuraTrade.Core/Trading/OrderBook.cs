namespace NeuraTrade.Core.Trading;

/// <summary>One price level: price and the base amount resting there.</summary>
public sealed record OrderBookLevel(decimal Price, decimal Amount);

/// <summary>ccxt's unified order book: bids best first (descending), asks best first (ascending).</summary>
public sealed record OrderBook(
    string Symbol,
    IReadOnlyList<OrderBookLevel> Bids,
    IReadOnlyList<OrderBookLevel> Asks,
    DateTimeOffset? Timestamp,
    long? Nonce);
