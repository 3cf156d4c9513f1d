namespace NeuraTrade.Core.Trading;

/// <summary>
/// ccxt's unified market, the fields orders need: amount step and price tick (precision), minimum and
/// maximum amount, minimum notional (amount × price, quote currency). Null means "no such rule".
/// </summary>
public sealed record MarketInfo(
    string Symbol,
    string Id,
    string Base,
    string Quote,
    bool Active,
    decimal? AmountStep,
    decimal? TickSize,
    decimal? MinAmount,
    decimal? MaxAmount,
    decimal? MinNotional,
    bool MinNotionalAppliesToMarketOrders = true)
{
    /// <summary>The amount rounded down to the step size (never more than asked for), like ccxt's amountToPrecision.</summary>
    public decimal AmountToPrecision(decimal amount) =>
        AmountStep is { } step and > 0m ? Math.Floor(amount / step) * step : amount;

    /// <summary>The price rounded to the nearest tick, like ccxt's priceToPrecision on Binance.</summary>
    public decimal PriceToPrecision(decimal price) =>
        TickSize is { } tick and > 0m ? Math.Round(price / tick, MidpointRounding.AwayFromZero) * tick : price;

    /// <summary>
    /// Why an order of <paramref name="amount"/> at <paramref name="price"/> breaks the market's limits, or null when
    /// it does not. <paramref name="isMarketOrder"/> matters for venues whose notional rule skips market orders.
    /// </summary>
    public string? Violation(decimal amount, decimal? price, bool isMarketOrder)
    {
        if (amount <= 0m)
        {
            return $"amount {amount} of {Symbol} rounds to nothing at step {AmountStep}";
        }

        if (MinAmount is { } min && amount < min)
        {
            return $"amount {amount} of {Symbol} is below the minimum amount {min}";
        }

        if (MaxAmount is { } max and > 0m && amount > max)
        {
            return $"amount {amount} of {Symbol} is above the maximum amount {max}";
        }

        if (MinNotional is { } minNotional && price is { } p && (!isMarketOrder || MinNotionalAppliesToMarketOrders) && amount * p < minNotional)
        {
            return $"order cost {amount * p:0.########} {Quote} is below the minimum notional {minNotional} {Quote}";
        }

        return null;
    }
}
