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
/// <see cref="Fees"/> is ccxt's <c>fees</c>: every charge with its currency, when the venue reports them per fill
/// (Binance charges a spot BUY in the base asset, a SELL in the quote asset, or BNB when BNB pays); null when the venue
/// reported at most one charge (then <see cref="Fee"/>/<see cref="FeeCurrency"/> say it).
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
    bool PostOnly = false,
    IReadOnlyList<FeeCharge>? Fees = null)
{
    /// <summary>Amount not filled yet.</summary>
    public decimal Remaining => Amount - Filled;

    /// <summary>Every fee charge of this order with its currency (empty when none was charged or none is known).</summary>
    public IReadOnlyList<FeeCharge> FeeCharges =>
        Fees ?? (FeeCurrency.Length > 0 && Fee != 0m ? [new FeeCharge(FeeCurrency, Fee)] : []);

    /// <summary>
    /// False when something filled but the venue said nothing of its fees (an order answered without <c>fills</c>, a
    /// cancelled or looked-up order): the fees must then be read from the account's trades, never taken as 0.
    /// </summary>
    public bool FeesKnown => Filled <= 0m || Fees is not null || FeeCurrency.Length > 0;
}

/// <summary>One fee charge: an amount of one currency (ccxt's <c>{cost, currency}</c>).</summary>
public sealed record FeeCharge(string Currency, decimal Amount)
{
    /// <summary>Charges summed per currency, in first-seen order, zero sums dropped.</summary>
    public static IReadOnlyList<FeeCharge> Merge(IEnumerable<FeeCharge> charges)
    {
        var sums = new List<FeeCharge>();
        foreach (var c in charges)
        {
            var at = sums.FindIndex(s => string.Equals(s.Currency, c.Currency, StringComparison.Ordinal));
            if (at < 0)
            {
                sums.Add(c);
            }
            else
            {
                sums[at] = sums[at] with { Amount = sums[at].Amount + c.Amount };
            }
        }

        return sums.Where(s => s.Amount != 0m).ToArray();
    }

    /// <summary>The total charged in <paramref name="currency"/>.</summary>
    public static decimal In(IEnumerable<FeeCharge>? charges, string currency) =>
        charges?.Where(c => string.Equals(c.Currency, currency, StringComparison.Ordinal)).Sum(c => c.Amount) ?? 0m;

    public override string ToString() => $"{Amount.ToString("0.############", System.Globalization.CultureInfo.InvariantCulture)} {Currency}";
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

/// <summary>
/// Fee charges with value equality (two lists are equal when they hold the same charges in the same order), so that
/// records holding them (a position) compare by value, as a stored-and-read-back position must.
/// </summary>
[System.Runtime.CompilerServices.CollectionBuilder(typeof(FeeList), nameof(Create))]
public sealed class FeeList(IEnumerable<FeeCharge> charges) : IReadOnlyList<FeeCharge>, IEquatable<FeeList>
{
    private readonly FeeCharge[] _charges = [.. charges];

    public static FeeList Empty { get; } = new([]);

    public int Count => _charges.Length;

    public FeeCharge this[int index] => _charges[index];

    public static FeeList Of(IEnumerable<FeeCharge> charges) => charges as FeeList ?? new FeeList(charges);

    /// <summary>For collection expressions: <c>FeeList fees = [new("BTC", 0.00000118m)];</c>.</summary>
    public static FeeList Create(ReadOnlySpan<FeeCharge> charges) => new(charges.ToArray());

    public IEnumerator<FeeCharge> GetEnumerator() => ((IEnumerable<FeeCharge>)_charges).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _charges.GetEnumerator();

    public bool Equals(FeeList? other) => other is not null && _charges.AsSpan().SequenceEqual(other._charges);

    public override bool Equals(object? obj) => Equals(obj as FeeList);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var c in _charges)
        {
            hash.Add(c);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => string.Join(", ", _charges.Select(c => c.ToString()));
}
