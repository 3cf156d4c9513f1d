using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

public enum PositionSide
{
    Long,
    Short,
}

/// <summary>Why a position was closed.</summary>
public enum ExitReason
{
    TakeProfit,
    StopLoss,
    Timeout,
    TrailingStop,
    Manual,
    KillSwitch,
}

/// <summary>
/// A position from entry fill to exit fill. Fees are in quote currency on both legs. Realized PnL is
/// (exit − entry) × amount for a long, (entry − exit) × amount for a short, minus both fees.
/// </summary>
public sealed record Position(
    string Id,
    string Symbol,
    PositionSide Side,
    decimal Amount,
    decimal EntryPrice,
    decimal EntryFee,
    decimal StopLoss,
    decimal TakeProfit,
    DateTimeOffset OpenedAt,
    string EntryOrderId,
    string DecisionId,
    DateTimeOffset DecisionCreatedAt,
    decimal? ExitPrice = null,
    decimal? ExitFee = null,
    DateTimeOffset? ClosedAt = null,
    ExitReason? ExitReason = null,
    string? ExitOrderId = null)
{
    public bool IsOpen => ClosedAt is null;

    /// <summary>Quote currency committed at entry (amount × entry price).</summary>
    public decimal EntryNotional => Amount * EntryPrice;

    public DecisionKey Decision => new(Symbol, DecisionId, DecisionCreatedAt);

    /// <summary>The order side that closes this position.</summary>
    public OrderSide ExitSide => Side == PositionSide.Long ? OrderSide.Sell : OrderSide.Buy;

    /// <summary>Net PnL if closed at <paramref name="price"/> with <paramref name="exitFee"/>.</summary>
    public decimal PnlAt(decimal price, decimal exitFee) =>
        (Side == PositionSide.Long ? price - EntryPrice : EntryPrice - price) * Amount - EntryFee - exitFee;

    public decimal? RealizedPnl => ExitPrice is { } exit ? PnlAt(exit, ExitFee ?? 0m) : null;

    /// <summary>Realized PnL as a percent of the entry notional.</summary>
    public decimal? RealizedPnlPercent => RealizedPnl is { } pnl && EntryNotional != 0m ? pnl / EntryNotional * 100m : null;

    public Position Close(Order exitOrder, ExitReason reason, DateTimeOffset closedAt) => this with
    {
        ExitPrice = exitOrder.Average,
        ExitFee = exitOrder.Fee,
        ClosedAt = closedAt,
        ExitReason = reason,
        ExitOrderId = exitOrder.Id,
    };
}
