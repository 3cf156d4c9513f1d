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
    Rejected,
}

/// <summary>ccxt createOrder arguments. <see cref="ClientOrderId"/> makes a retried order idempotent.</summary>
public sealed record OrderRequest(
    string Symbol,
    OrderType Type,
    OrderSide Side,
    decimal Amount,
    decimal? Price,
    string ClientOrderId);

/// <summary>ccxt's unified order. <see cref="Average"/> is the average fill price; fee is in <see cref="FeeCurrency"/>.</summary>
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
    DateTimeOffset Timestamp);

/// <summary>One currency's balance (ccxt: free, used, total).</summary>
public sealed record Balance(decimal Free, decimal Used)
{
    public decimal Total => Free + Used;
}

/// <summary>Balances by currency code.</summary>
public sealed record Balances(IReadOnlyDictionary<string, Balance> ByCurrency)
{
    public decimal Free(string currency) => ByCurrency.TryGetValue(currency, out var b) ? b.Free : 0m;
}
