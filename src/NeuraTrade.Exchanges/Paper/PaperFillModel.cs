using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>The outcome of taking liquidity: base amount filled and its volume-weighted price before slippage.</summary>
public readonly record struct BookWalk(decimal Filled, decimal AveragePrice);

/// <summary>
/// The paper fill model, pure and shared (LEAN's fill/fee/slippage split): a taker walks the opposite side
/// of the book level by level, optionally no further than a limit price; slippage then moves the average
/// against the taker; fees are a percent of the cost.
/// </summary>
public static class PaperFillModel
{
    /// <summary>Consumes <paramref name="levels"/> (best first) up to <paramref name="amount"/>, not beyond <paramref name="limitPrice"/>.</summary>
    public static BookWalk Walk(IReadOnlyList<OrderBookLevel> levels, OrderSide side, decimal amount, decimal? limitPrice)
    {
        decimal filled = 0m, cost = 0m;
        foreach (var level in levels)
        {
            if (filled >= amount)
            {
                break;
            }

            if (limitPrice is { } limit && (side == OrderSide.Buy ? level.Price > limit : level.Price < limit))
            {
                break;
            }

            var take = Math.Min(level.Amount, amount - filled);
            filled += take;
            cost += take * level.Price;
        }

        return filled == 0m ? new BookWalk(0m, 0m) : new BookWalk(filled, cost / filled);
    }

    /// <summary>The taker's price after slippage, never beyond a limit price.</summary>
    public static decimal Slipped(decimal averagePrice, OrderSide side, decimal slippagePercent, decimal? limitPrice)
    {
        var slip = slippagePercent / 100m;
        var price = Round(side == OrderSide.Buy ? averagePrice * (1m + slip) : averagePrice * (1m - slip));
        return limitPrice is { } limit ? (side == OrderSide.Buy ? Math.Min(price, limit) : Math.Max(price, limit)) : price;
    }

    public static decimal Fee(decimal cost, decimal feePercent) => Round(cost * feePercent / 100m);

    /// <summary>Prices and fees carry 8 decimals, like the exchange's own precision at most.</summary>
    public static decimal Round(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);
}
