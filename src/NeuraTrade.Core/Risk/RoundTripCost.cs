namespace NeuraTrade.Core.Risk;

/// <summary>
/// What a round trip (entry and exit at market) costs, in percent of the price: both taker fees, the expected slippage
/// on both legs, and the bid/ask spread crossed now. A target is worth taking only when its distance beats this cost by
/// <see cref="MinNetEdgePercent"/>. The one cost model: the risk gate, the rules brain and the break-even stop use it.
/// </summary>
/// <param name="FeePercent">Taker fee per leg, percent of the fill's value (Binance spot: 0.1).</param>
/// <param name="SlippagePercent">Expected slippage per leg beyond the touch, percent.</param>
/// <param name="MinNetEdgePercent">How far the target must beat the round-trip cost, percent.</param>
public sealed record RoundTripCost(decimal FeePercent, decimal SlippagePercent, decimal MinNetEdgePercent)
{
    /// <summary>Binance spot's default taker fee, the paper exchange's default slippage, the seed's default 0.02% edge.</summary>
    public static RoundTripCost Default { get; } = new(0.1m, 0.02m, 0.02m);

    /// <summary>The round trip's cost in percent of the price when the spread is <paramref name="spreadPercent"/>.</summary>
    public decimal CostPercent(decimal spreadPercent) => (2m * FeePercent) + (2m * SlippagePercent) + Math.Max(0m, spreadPercent);

    /// <summary>
    /// The target's distance from <paramref name="entry"/> less the round-trip cost, percent: what a take-profit would
    /// really earn. Positive and at least <see cref="MinNetEdgePercent"/> is worth trading.
    /// </summary>
    public decimal NetEdgePercent(decimal entry, decimal target, decimal spreadPercent) =>
        entry <= 0m ? 0m : (Math.Abs(target - entry) / entry * 100m) - CostPercent(spreadPercent);

    /// <summary>Whether a target at <paramref name="target"/> from <paramref name="entry"/> clears the cost by the minimum net edge.</summary>
    public bool Clears(decimal entry, decimal target, decimal spreadPercent) => NetEdgePercent(entry, target, spreadPercent) >= MinNetEdgePercent;

    /// <summary>
    /// The exit price at which a position of <paramref name="amount"/> bought (long) or sold (short) at
    /// <paramref name="entryPrice"/>, having paid <paramref name="entryFee"/> in quote, nets exactly zero after the exit's
    /// taker fee: what a break-even stop must protect (the raw entry would lose both fees). Rounded away from the entry.
    /// </summary>
    public decimal BreakEvenPrice(bool isLong, decimal entryPrice, decimal amount, decimal entryFee)
    {
        if (amount <= 0m)
        {
            return entryPrice;
        }

        var f = FeePercent / 100m;
        var price = isLong
            ? ((entryPrice * amount) + entryFee) / (amount * (1m - f))
            : ((entryPrice * amount) - entryFee) / (amount * (1m + f));
        var rounded = Math.Round(price, 8, isLong ? MidpointRounding.ToPositiveInfinity : MidpointRounding.ToNegativeInfinity);
        return rounded;
    }
}
