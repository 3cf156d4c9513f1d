using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>An order's fee charges as the desk books them: the charges, their value in quote, and those no rate could value.</summary>
public sealed record BookedFees(FeeList Charges, decimal QuoteValue, FeeList Unvalued)
{
    public static BookedFees None { get; } = new(FeeList.Empty, 0m, FeeList.Empty);
}

/// <summary>
/// What a fill does to the books, as pure steps over plain values, so the live desk and the backtest driver book fills
/// the same way: the amount the account holds after a fee taken in the base asset, fees valued in quote, barriers moved
/// with the fill, and what part of a holding can still be sold.
/// </summary>
public static class FillBooking
{
    /// <summary>
    /// Values <paramref name="charges"/> in <paramref name="quote"/>: a quote charge as itself, a base charge at the fill
    /// price, any other currency (BNB) at <paramref name="rateInQuote"/> (null when no rate is known: the charge is then
    /// listed as unvalued, never booked as 0 without a word).
    /// </summary>
    public static BookedFees Value(IEnumerable<FeeCharge> charges, string baseCurrency, string quote, decimal fillPrice, Func<string, decimal?> rateInQuote)
    {
        var merged = FeeCharge.Merge(charges);
        decimal value = 0m;
        var unvalued = new List<FeeCharge>();
        foreach (var c in merged)
        {
            if (string.Equals(c.Currency, quote, StringComparison.Ordinal))
            {
                value += c.Amount;
            }
            else if (string.Equals(c.Currency, baseCurrency, StringComparison.Ordinal))
            {
                value += c.Amount * fillPrice;
            }
            else if (rateInQuote(c.Currency) is { } rate and > 0m)
            {
                value += c.Amount * rate;
            }
            else
            {
                unvalued.Add(c);
            }
        }

        // Not rounded: a base charge costs exactly its amount at the fill price, so PnL equals the cash the account moved.
        return new BookedFees(new FeeList(merged), value, new FeeList(unvalued));
    }

    /// <summary>
    /// What the account holds after an entry fill of <paramref name="filled"/>: a long holds the fill less the fee the
    /// venue took in the base asset (Binance spot charges a BUY in the asset received); a short owes what it sold.
    /// </summary>
    public static decimal Held(PositionSide side, decimal filled, IEnumerable<FeeCharge> charges, string baseCurrency) =>
        side == PositionSide.Long ? filled - FeeCharge.In(charges, baseCurrency) : filled;

    /// <summary>
    /// The decision's stop and target moved to the fill, keeping their distances from the price the decision was made
    /// at (its entry, else the market): a position is judged against what it paid, never against a proposed price the
    /// fill did not get (an entry proposed below the market would otherwise start above its own target).
    /// </summary>
    public static (decimal StopLoss, decimal TakeProfit) Anchored(TradingDecision decision, decimal fillPrice)
    {
        var stop = decision.StopLoss!.Value;
        var target = decision.TakeProfit!.Value;
        var reference = decision.EntryPrice is > 0m ? decision.EntryPrice.Value : decision.MarketPrice;
        if (reference <= 0m || fillPrice <= 0m)
        {
            return (stop, target);
        }

        return (Math.Max(0m, fillPrice + (stop - reference)), Math.Max(0m, fillPrice + (target - reference)));
    }

    /// <summary>
    /// The part of <paramref name="amount"/> an exit order can sell at about <paramref name="price"/>: floored to the
    /// market's amount step, and 0 when that breaks the minimum amount or notional (then it is dust).
    /// </summary>
    public static decimal Sellable(MarketInfo market, decimal amount, decimal price)
    {
        var floored = market.AmountToPrecision(amount);
        return market.Violation(floored, price, isMarketOrder: true) is null ? floored : 0m;
    }

    /// <summary>The position an entry fill opens: what the account holds, at the fill's average price, with the fill's fees and barriers.</summary>
    public static Position Opened(TradingDecision decision, Order order, BookedFees fees, DateTimeOffset now)
    {
        var side = decision.Side == OrderSide.Buy ? PositionSide.Long : PositionSide.Short;
        var (stop, target) = Anchored(decision, order.Average);
        return new Position(
            $"pos-{decision.Id}",
            decision.Symbol,
            side,
            Held(side, order.Filled, fees.Charges, Markets.MarketSymbol.Base(decision.Symbol)),
            order.Average,
            fees.QuoteValue,
            stop,
            target,
            now,
            order.Id,
            decision.Id,
            decision.CreatedAt,
            EntryFees: fees.Charges);
    }
}
