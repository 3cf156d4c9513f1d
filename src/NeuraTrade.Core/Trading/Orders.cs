namespace NeuraTrade.Core.Trading;

public enum OrderSide
{
    Buy,
    Sell,
}

public enum OrderType
{
    Market,
    Limit,
}

public enum OrderStatus
{
    Open,
    Closed,
    Canceled,
    Expired,
    Rejected,
}

/// <summary>
/// ccxt createOrder arguments. <see cref="ClientOrderId"/> makes a retried order idempotent. <see cref="Price"/> is
/// the limit price; on a market buy it is the expected price, and the order spends <c>Amount × Price</c> of quote
/// currency (ccxt's Binance behaviour). <see cref="PostOnly"/> makes a limit order maker-only: it is rejected
/// instead of taking liquidity.
/// </summary>
public sealed record OrderRequest(
    string Symbol,
    OrderType Type,
    OrderSide Side,
    decimal Amount,
    decimal? Price,
    string ClientOrderId,
    bool PostOnly = false);

/// <summary>
/// ccxt's unified order. <see cref="Average"/> is the average fill price (0 while nothing is filled; ccxt: null);
/// fee is in <see cref="FeeCurrency"/> (0 and empty when the venue does not report it; ccxt: null).
/// <see cref="Price"/> is the limit price, or for a filled market order the average price (as ccxt reports it).
/// </summary>
public sealed record Order(
    string Id,
    string ClientOrderId,
    string Symbol,
    OrderType Type,
    OrderSide Side,
    OrderStatus Status,
    decimal Amount,
    decimal Filled,
    decimal Average,
    decimal Cost,
    decimal Fee,
    string FeeCurrency,
    DateTimeOffset Timestamp,
    decimal? Price = null,
    string? TimeInForce = null,
    bool PostOnly = false)
{
    /// <summary>Amount not filled yet.</summary>
    public decimal Remaining => Amount - Filled;
}

/// <summary>One currency's balance (ccxt: free, used, total).</summary>
public sealed record Balance(decimal Free, decimal Used)
{
    public decimal Total => Free + Used;
}

/// <summary>Balances by currency code; <see cref="Timestamp"/> when the venue says when they were last updated.</summary>
public sealed record Balances(IReadOnlyDictionary<string, Balance> ByCurrency, DateTimeOffset? Timestamp = null)
{
    public decimal Free(string currency) => ByCurrency.TryGetValue(currency, out var b) ? b.Free : 0m;
}
