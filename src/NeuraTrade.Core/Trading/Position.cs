namespace NeuraTrade.Core.Trading;

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

    /// <summary>
    /// A remainder below the venue's amount step or minimum notional: it can never be sold, so it is closed in the books
    /// at the mark (the coins stay in the account as dust) and frees its position slot.
    /// </summary>
    Dust,

    /// <summary>The replayed market data ended (paper replay): the position is closed at the last price.</summary>
    EndOfData,
}

/// <summary>
/// A position from entry fill to exit fill. <see cref="Amount"/> is what the account holds: the entry's fill less a
/// fee the venue took in the base asset (Binance charges a spot BUY in the asset received). <see cref="EntryFees"/>
/// and <see cref="ExitFees"/> are the charges as the venue booked them, each in its currency;
/// <see cref="EntryFee"/> and <see cref="ExitFee"/> are their value in quote currency (a base-asset fee at the fill
/// price). Realized PnL is (exit − entry) × amount for a long, (entry − exit) × amount for a short, minus both fees.
/// Rows written before fees had currencies have no charge lists: their fees were in quote currency.
/// <see cref="QuoteRate"/> is set on a closed part of a market quoted in another currency than the account's: the
/// account currency one unit of the quote was worth at the close (<see cref="AccountPnl"/>).
/// <see cref="BestPrice"/> and <see cref="WorstPrice"/> are the most and least favourable exit-side prices the exit checks
/// saw while the position was open (its maximum favourable and adverse excursion); null on rows written before they were
/// tracked, and until the first check.
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
    string? ExitOrderId = null,
    FeeList? EntryFees = null,
    FeeList? ExitFees = null,
    decimal? QuoteRate = null,
    decimal? BestPrice = null,
    decimal? WorstPrice = null)
{
    public string Base => Markets.MarketSymbol.Base(Symbol);

    public string Quote => Markets.MarketSymbol.Quote(Symbol);

    /// <summary>The entry's charges; a row without them (written before fees had currencies) paid its fee in quote.</summary>
    public FeeList EntryCharges => EntryFees ?? (EntryFee != 0m ? new FeeList([new FeeCharge(Quote, EntryFee)]) : FeeList.Empty);

    /// <summary>The exit's charges, as <see cref="EntryCharges"/>.</summary>
    public FeeList ExitCharges => ExitFees ?? (ExitFee is { } f && f != 0m ? new FeeList([new FeeCharge(Quote, f)]) : FeeList.Empty);

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

    /// <summary>
    /// <see cref="RealizedPnl"/> in the account's currency: converted at <see cref="QuoteRate"/>, the rate of this market's
    /// quote when the part closed; as it is when no rate was needed (a market quoted in the account's currency) or none
    /// was recorded (rows written before rates were).
    /// </summary>
    public decimal? AccountPnl => RealizedPnl is { } pnl ? pnl * (QuoteRate ?? 1m) : null;

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

    /// <summary>
    /// This position with <paramref name="mark"/> (the price it would exit at now) counted in its best and worst price;
    /// the same instance when the mark is inside what was already seen.
    /// </summary>
    public Position Tracked(decimal mark)
    {
        var better = Side == PositionSide.Long ? Math.Max(BestPrice ?? EntryPrice, mark) : Math.Min(BestPrice ?? EntryPrice, mark);
        var worse = Side == PositionSide.Long ? Math.Min(WorstPrice ?? EntryPrice, mark) : Math.Max(WorstPrice ?? EntryPrice, mark);
        return better == BestPrice && worse == WorstPrice ? this : this with { BestPrice = better, WorstPrice = worse };
    }

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
    public (Position? Closed, Position? Remainder) CloseFilled(Order exitOrder, ExitReason reason, DateTimeOffset closedAt) =>
        CloseFilled(exitOrder, exitOrder.FeeCharges, exitOrder.Fee, reason, closedAt);

    /// <summary>
    /// <see cref="CloseFilled(Order, ExitReason, DateTimeOffset)"/> with the exit's charges and their value in quote
    /// currency as the trade desk established them (from the order's fills or the account's trades).
    /// </summary>
    public (Position? Closed, Position? Remainder) CloseFilled(Order exitOrder, IReadOnlyList<FeeCharge> exitCharges, decimal exitFeeValue, ExitReason reason, DateTimeOffset closedAt)
    {
        var filled = Math.Min(exitOrder.Filled, Amount);
        if (filled <= 0m)
        {
            return (null, this);
        }

        var closed = this with
        {
            ExitPrice = exitOrder.Average,
            ExitFee = exitFeeValue,
            ExitFees = FeeList.Of(exitCharges),
            ClosedAt = closedAt,
            ExitReason = reason,
            ExitOrderId = exitOrder.Id,
        };
        return filled == Amount ? (closed, null) : Split(closed, filled);
    }

    /// <summary>
    /// Closes <paramref name="amount"/> of this position in the books without an order, at <paramref name="mark"/> and no
    /// fee (dust: too small to sell; the coins stay in the account). The rest, if any, stays open as a remainder.
    /// </summary>
    public (Position Closed, Position? Remainder) CloseInBooks(decimal amount, decimal mark, ExitReason reason, DateTimeOffset closedAt)
    {
        var part = Math.Min(amount, Amount);
        var closed = this with { ExitPrice = mark, ExitFee = 0m, ExitFees = FeeList.Empty, ClosedAt = closedAt, ExitReason = reason, ExitOrderId = null };
        if (part == Amount)
        {
            return (closed, null);
        }

        var (c, r) = Split(closed, part);
        return (c, r);
    }

    /// <summary>Splits <paramref name="closed"/> (this position, closed) into its closed part of <paramref name="part"/> and the open remainder; the entry fees are split pro rata so nothing is counted twice.</summary>
    private (Position Closed, Position Remainder) Split(Position closed, decimal part)
    {
        var share = part / Amount;
        var entryFeePart = Math.Round(EntryFee * share, 8, MidpointRounding.ToZero);
        var chargesPart = EntryCharges.Select(c => c with { Amount = Math.Round(c.Amount * share, 12, MidpointRounding.ToZero) }).ToArray();
        var chargesRest = EntryCharges.Select((c, i) => c with { Amount = c.Amount - chargesPart[i].Amount }).ToArray();
        var closedPart = closed with { Amount = part, EntryFee = entryFeePart, EntryFees = new FeeList(chargesPart) };
        var remainder = this with { Id = RemainderId(Id), Amount = Amount - part, EntryFee = EntryFee - entryFeePart, EntryFees = new FeeList(chargesRest) };
        return (closedPart, remainder);
    }

    private static string RemainderId(string id)
    {
        var at = id.LastIndexOf("-r", StringComparison.Ordinal);
        return at > 0 && int.TryParse(id.AsSpan(at + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? $"{id[..at]}-r{n + 1}"
            : $"{id}-r1";
    }
}
