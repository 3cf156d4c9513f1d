namespace NeuraTrade.Backtesting.Arbitrage;

/// <summary>One arbitrage of a backtest: both legs at the scan's books, with what the scan expected and what the fills made.</summary>
public sealed record ArbitrageBacktestTrade(
    DateTimeOffset Time,
    string BuyVenue,
    string SellVenue,
    decimal Amount,
    decimal BuyPrice,
    decimal SellPrice,
    decimal BuyFee,
    decimal SellFee,
    decimal ExpectedNetEdgePercent,
    decimal ExpectedProfit,
    decimal Profit);

/// <summary>A minute whose best edge cleared the minimum but could not be traded (inventory, minimum order), and why.</summary>
public sealed record ArbitrageBacktestHold(DateTimeOffset Time, string BuyVenue, string SellVenue, decimal TopNetEdgePercent, string Reason);

/// <summary>A venue's inventory at the start and the end, and its drift in base asset.</summary>
public sealed record ArbitrageVenueInventory(string Venue, string Symbol, decimal StartBase, decimal StartQuote, decimal EndBase, decimal EndQuote)
{
    public decimal BaseDrift => EndBase - StartBase;
}

/// <summary>
/// What an arbitrage backtest saw and did: the minutes it scanned, the best net edge any of them offered (tradable or not:
/// the number that says why nothing traded), the trades, the minutes that cleared the edge but were held (and why),
/// the profit in the reference currency and each venue's inventory drift.
/// </summary>
public sealed record ArbitrageBacktestReport(
    int MinutesScanned,
    decimal BestNetEdgePercent,
    DateTimeOffset? BestNetEdgeAt,
    string? BestNetEdgePair,
    IReadOnlyList<ArbitrageBacktestTrade> Trades,
    IReadOnlyList<ArbitrageBacktestHold> Held,
    IReadOnlyList<ArbitrageVenueInventory> Inventory,
    decimal MinNetEdgePercent)
{
    public decimal Profit => Trades.Sum(t => t.Profit);

    public decimal ExpectedProfit => Trades.Sum(t => t.ExpectedProfit);

    public decimal Fees => Trades.Sum(t => t.BuyFee + t.SellFee);
}
