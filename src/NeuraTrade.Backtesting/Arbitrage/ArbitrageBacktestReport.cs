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
    decimal Profit)
{
    /// <summary>The edge the fills made: <see cref="Profit"/> in percent of the buy's cost in the reference currency (as the desk records a live arbitrage; no buffer taken off).</summary>
    public decimal CapturedNetEdgePercent { get; init; }

    /// <summary>The buy leg's fee in the reference currency (<see cref="BuyFee"/> is in the buy venue's quote).</summary>
    public decimal BuyFeeValue { get; init; }

    /// <summary>The sell leg's fee in the reference currency (<see cref="SellFee"/> is in the sell venue's quote).</summary>
    public decimal SellFeeValue { get; init; }
}

/// <summary>The best net edge at the top of the books one scan saw (tradable or not), and which way.</summary>
public sealed record ArbitrageEdgePoint(DateTimeOffset Time, decimal TopNetEdgePercent, string Pair);

/// <summary>Every venue's holdings (in the report's venue order) at the first scan and after each trade.</summary>
public sealed record ArbitrageInventoryPoint(DateTimeOffset Time, IReadOnlyList<decimal> Base, IReadOnlyList<decimal> Quote);

/// <summary>A minute whose best edge cleared the minimum but could not be traded (inventory, minimum order), and why.</summary>
public sealed record ArbitrageBacktestHold(DateTimeOffset Time, string BuyVenue, string SellVenue, decimal TopNetEdgePercent, string Reason);

/// <summary>A venue's inventory at the start and the end, and its drift in base asset.</summary>
public sealed record ArbitrageVenueInventory(string Venue, string Symbol, decimal StartBase, decimal StartQuote, decimal EndBase, decimal EndQuote)
{
    public decimal BaseDrift => EndBase - StartBase;

    public decimal QuoteDrift => EndQuote - StartQuote;
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

    /// <summary>Both legs' fees in the reference currency.</summary>
    public decimal Fees => Trades.Sum(t => t.BuyFeeValue + t.SellFeeValue);

    /// <summary>The base asset gained (+) or lost over all venues: zero when every arbitrage sold what it bought.</summary>
    public decimal TotalBaseDrift => Inventory.Sum(i => i.BaseDrift);

    /// <summary>The best top-of-book net edge of each scanned minute, in time order (the report's edge chart).</summary>
    public IReadOnlyList<ArbitrageEdgePoint> Edges { get; init; } = [];

    /// <summary>Holdings at the first scan, after each trade and at the last scan (the report's inventory chart).</summary>
    public IReadOnlyList<ArbitrageInventoryPoint> InventoryHistory { get; init; } = [];
}
