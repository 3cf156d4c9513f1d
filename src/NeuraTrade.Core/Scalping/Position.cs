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

    /// <summary>Hold duration, once closed.</summary>
    public TimeSpan? HoldDuration => ClosedAt is { } closed ? closed - OpenedAt : null;

    /// <summary>
    /// True when the stop has been moved to or past the entry (break-even or trailing): hitting it is a
    /// <see cref="Scalping.ExitReason.TrailingStop"/>, not a loss-cutting stop-loss.
    /// </summary>
    public bool StopIsTrailing => Side == PositionSide.Long ? StopLoss >= EntryPrice : StopLoss <= EntryPrice;

    /// <summary>Unrealized PnL at the price the position would exit at now (entry fee counted, exit fee not yet paid).</summary>
    public decimal UnrealizedPnl(decimal exitPrice) => PnlAt(exitPrice, 0m);

    /// <summary>A client order id for this position's exit of exactly <see cref="Amount"/>: a retry reuses it, a remainder gets its own.</summary>
    public string ExitClientOrderId => ClientOrderIds.Exit(Id);

    /// <summary>Closes the whole position with a fully filled exit order. Prefer <see cref="CloseFilled"/>.</summary>
    public Position Close(Order exitOrder, ExitReason reason, DateTimeOffset closedAt) =>
        CloseFilled(exitOrder, reason, closedAt).Closed ?? throw new InvalidOperationException($"exit order {exitOrder.Id} filled nothing");

    /// <summary>
    /// Closes what the exit order filled and keeps the rest open. The closed part keeps this id (so its trade row
    /// replaces the open row); the remainder, if any, gets a new id <c>{Id}-r{n}</c> and the entry fee is split pro rata,
    /// so nothing is counted twice. Closed is null when nothing filled.
    /// </summary>
    public (Position? Closed, Position? Remainder) CloseFilled(Order exitOrder, ExitReason reason, DateTimeOffset closedAt)
    {
        var filled = Math.Min(exitOrder.Filled, Amount);
        if (filled <= 0m)
        {
            return (null, this);
        }

        var closed = this with
        {
            ExitPrice = exitOrder.Average,
            ExitFee = exitOrder.Fee,
            ClosedAt = closedAt,
            ExitReason = reason,
            ExitOrderId = exitOrder.Id,
        };
        if (filled == Amount)
        {
            return (closed, null);
        }

        var entryFeePart = Math.Round(EntryFee * filled / Amount, 8, MidpointRounding.ToZero);
        closed = closed with { Amount = filled, EntryFee = entryFeePart };
        var remainder = this with { Id = RemainderId(Id), Amount = Amount - filled, EntryFee = EntryFee - entryFeePart };
        return (closed, remainder);
    }

    private static string RemainderId(string id)
    {
        var at = id.LastIndexOf("-r", StringComparison.Ordinal);
        return at > 0 && int.TryParse(id.AsSpan(at + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? $"{id[..at]}-r{n + 1}"
            : $"{id}-r1";
    }
}
