namespace NeuraTrade.Core.Arbitrage;

/// <summary>How an executed arbitrage ended.</summary>
public enum ArbitrageStatus
{
    /// <summary>Not placed: the arbitrage is switched off, the opportunity exceeds its limits, or the account-wide gate refused.</summary>
    Refused,

    /// <summary>Both legs filled in full.</summary>
    Completed,

    /// <summary>The buy leg filled nothing (or failed): nothing is held, nothing to unwind.</summary>
    NotFilled,

    /// <summary>The sell leg failed or filled in part; what it did not sell was sold back on the buy venue.</summary>
    Unwound,

    /// <summary>The sell leg failed and so did the unwind: the base bought is still held on the buy venue (recorded, never silent).</summary>
    Naked,
}

/// <summary>
/// What an executed arbitrage did: both legs (and an unwind) with their client order ids, the edge the scan expected against
/// the edge the fills captured, each leg's fee and slippage against the top of the book the scan saw. Amounts are base;
/// profit and fees in the reference currency; slippage in percent (positive: worse than the book's top).
/// </summary>
public sealed record ArbitrageOutcome(
    string DecisionId,
    ArbitrageStatus Status,
    string BuyVenue,
    string SellVenue,
    string BuyClientOrderId,
    string SellClientOrderId,
    decimal Bought,
    decimal BuyPrice,
    decimal Sold,
    decimal SellPrice,
    decimal Unwound,
    decimal UnwindPrice,
    decimal BuyFee,
    decimal SellFee,
    decimal UnwindFee,
    decimal BuySlippagePercent,
    decimal SellSlippagePercent,
    decimal ExpectedNetEdgePercent,
    decimal ExpectedProfit,
    decimal CapturedNetEdgePercent,
    decimal Profit,
    string Note);
