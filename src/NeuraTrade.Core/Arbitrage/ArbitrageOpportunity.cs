using System.Globalization;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// Buying on one venue and selling on another, as a scan judged it. Prices are in each venue's own quote currency; the
/// edges are percent of the buy's cost in the reference currency, net of both taker fees, slippage, the quote conversion
/// and the safety buffer. <see cref="TopNetEdgePercent"/> is the edge at the best ask and bid; <see cref="NetEdgePercent"/>
/// the edge over <see cref="Amount"/> walked through both books. <see cref="Refusal"/> says why it is not worth trading
/// (null: it is).
/// </summary>
public sealed record ArbitrageOpportunity(
    string BuyVenue,
    string BuySymbol,
    string SellVenue,
    string SellSymbol,
    decimal BestAsk,
    decimal BestBid,
    decimal TopNetEdgePercent,
    decimal Amount,
    decimal BuyPrice,
    decimal SellPrice,
    decimal NetEdgePercent,
    decimal ExpectedProfit,
    string? Refusal)
{
    public bool Tradable => Refusal is null && Amount > 0m;

    /// <summary>One line with the numbers, for reasoning, logs and the status.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"buy {BuySymbol} on {BuyVenue} at {BestAsk}, sell {SellSymbol} on {SellVenue} at {BestBid}: net edge {TopNetEdgePercent:0.####}% at the top of the books")
        + (Tradable
            ? string.Create(CultureInfo.InvariantCulture, $", {Amount} executable at {BuyPrice:0.########} / {SellPrice:0.########} for {NetEdgePercent:0.####}% ({ExpectedProfit:0.########} expected)")
            : $": {Refusal}");
}

/// <summary>What one scan of one market across the venues found: every ordered pair, the best edge, and the best trade.</summary>
public sealed record ArbitrageScan(IReadOnlyList<ArbitrageOpportunity> Pairs)
{
    /// <summary>The pair with the highest net edge at the top of the books, tradable or not (the number a HOLD reports).</summary>
    public ArbitrageOpportunity? Best => Pairs.OrderByDescending(p => p.TopNetEdgePercent).FirstOrDefault();

    /// <summary>The tradable pair with the largest expected profit, or null.</summary>
    public ArbitrageOpportunity? Trade => Pairs.Where(p => p.Tradable).OrderByDescending(p => p.ExpectedProfit).FirstOrDefault();
}
