using System.Diagnostics.CodeAnalysis;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// What the exit pass makes of one open position at a quote: the position (its stop moved when a trailing or break-even
/// rule moved it, its best and worst price followed) and the exit due, if any. <see cref="Changed"/>: the position
/// differs from the one checked and should be stored.
/// </summary>
public readonly record struct ExitCheck(Position Position, bool StopMoved, ExitReason? Due)
{
    /// <summary>The quote was a new best or worst price for the position (its excursion, for the learning system).</summary>
    public bool ExcursionMoved { get; init; }

    public bool Changed => StopMoved || ExcursionMoved;
}

/// <summary>How an exit's fill changes the books: the part closed, what stays open (under a new id), and a rest too small to ever sell, closed as dust.</summary>
public sealed record ExitFill(Position Done, Position? Remainder, Position? Dust)
{
    /// <summary>The PnL the fill adds to the UTC day, in the account's currency.</summary>
    public decimal DayPnl => TradeSteps.DayPnl(Done, Dust);
}

/// <summary>How an entry's fill changes the books: a position to keep open, or (a fill too small to sell back) one closed at once as dust.</summary>
public sealed record EntryFill(Position Position, bool IsDust);

/// <summary>
/// The trading rules of the desk and the scan as pure, synchronous steps over plain state: which exits are due and how a
/// stop moves, what an exit's or an entry's fill does to the books, what a decision's result is, whether the gate admits
/// an entry and what order it becomes. Two drivers run them: the live one (<see cref="ScalpingEngine"/> and
/// <see cref="TradeDesk"/> over the async ports: exchange, Table Storage, the brain; used by paper, live and the full
/// backtest) and the backtest driver (in-memory books and the paper fill model in a synchronous loop). No rule here
/// exists a second time in either of them; they differ in how they read and write state, and in claims and retries.
/// </summary>
public static class TradeSteps
{
    /// <summary>The price a position exits at on <paramref name="ticker"/>: the bid for a long, the ask for a short.</summary>
    public static decimal Mark(Position position, Ticker ticker) => position.Side == PositionSide.Long ? ticker.Bid : ticker.Ask;

    /// <summary>The exit pass for one position: the trailing and break-even stops move first, then the exit rule reads the moved stop.</summary>
    public static ExitCheck CheckExit(Position position, Ticker ticker, DateTimeOffset now, ScalpingOptions options)
    {
        var mark = Mark(position, ticker);
        var stop = ExitRules.AdjustedStop(position, mark, options.TrailingStopPercent, options.BreakEvenTriggerPercent, options.Costs);
        var tracked = position.Tracked(mark);
        var current = stop is { } moved ? tracked with { StopLoss = moved } : tracked;
        return new ExitCheck(current, stop is not null, ExitRules.Evaluate(current, ticker, now, options.PositionHoldTime)) { ExcursionMoved = !ReferenceEquals(tracked, position) };
    }

    /// <summary>A holding of which nothing can be sold at <paramref name="mark"/> (below the lot step or the minimum notional), closed in the books as dust; null when it can be sold.</summary>
    public static Position? Unsellable(Position current, MarketInfo market, decimal mark, DateTimeOffset now) =>
        FillBooking.Sellable(market, current.Amount, mark) <= 0m
            ? current.CloseInBooks(current.Amount, mark, ExitReason.Dust, now).Closed
            : null;

    /// <summary>
    /// What an exit order that sold <paramref name="order"/>'s fill does to the books: the filled part closes with the exit's
    /// fees; the rest stays open, or is closed as dust at the fill's price when it is too small to sell. Null when the order
    /// filled nothing.
    /// </summary>
    public static ExitFill? ExitFilled(Position current, Order order, BookedFees fees, ExitReason reason, DateTimeOffset closedAt, MarketInfo market, decimal mark)
    {
        var (done, remainder) = current.CloseFilled(order, fees.Charges, fees.QuoteValue, reason, closedAt);
        if (done is null)
        {
            return null;
        }

        Position? dust = null;
        if (remainder is not null && FillBooking.Sellable(market, remainder.Amount, mark) <= 0m)
        {
            (dust, _) = remainder.CloseInBooks(remainder.Amount, order.Average > 0m ? order.Average : mark, ExitReason.Dust, closedAt);
            remainder = null;
        }

        return new ExitFill(done, remainder, dust);
    }

    /// <summary>
    /// What an entry order's fill does to the books: the position the account now holds (fees as charged, barriers at the
    /// fill), or, when that holding could never be sold back at the current quote, the same position closed at once as dust.
    /// </summary>
    public static EntryFill EntryFilled(TradingDecision decision, Order order, BookedFees fees, MarketInfo market, Ticker ticker, DateTimeOffset now)
    {
        var position = FillBooking.Opened(decision, order, fees, now);
        return FillBooking.Sellable(market, position.Amount, Mark(position, ticker)) <= 0m
            ? new EntryFill(position.CloseInBooks(position.Amount, position.EntryPrice, ExitReason.Dust, now).Closed, true)
            : new EntryFill(position, false);
    }

    /// <summary>The PnL closed parts add to the UTC day and the daily limits, in the account's currency.</summary>
    public static decimal DayPnl(Position done, Position? dust) => done.AccountPnl!.Value + (dust?.AccountPnl ?? 0m);

    /// <summary>Whether the decision's result needs its other closed parts (an exit that filled partly before, or dust split off now).</summary>
    public static bool ResultNeedsParts(Position done, Position? dust) => !(TradeDesk.ClosedWhole(done) && dust is null);

    /// <summary>
    /// The decision's result once nothing of it stays open: win or loss after fees and the PnL of every part, read from
    /// <paramref name="parts"/> (today's and yesterday's closed trades) when <see cref="ResultNeedsParts"/>.
    /// </summary>
    public static (DecisionOutcome Outcome, decimal Pnl) Result(Position done, Position? dust, IEnumerable<Position>? parts)
    {
        var total = ResultNeedsParts(done, dust)
            ? TradeDesk.PartsTotal(done, parts ?? throw new ArgumentNullException(nameof(parts), "a decision closed in parts needs its other parts"))
            : done.RealizedPnl!.Value;
        return (total > 0m ? DecisionOutcome.Win : DecisionOutcome.Loss, total);
    }

    /// <summary>Why <paramref name="decision"/> is too old to enter at <paramref name="now"/> (<c>Scalping:MaxDecisionAge</c>), or null.</summary>
    public static string? TooOld(TradingDecision decision, DateTimeOffset now, TimeSpan maxAge) =>
        now - decision.CreatedAt > maxAge ? $"decision is older than Scalping:MaxDecisionAge {maxAge}" : null;

    /// <summary>The risk gate's verdict on an entry against the portfolio, the quote's spread and the day's context; a refusal comes with the decision as a HOLD saying why.</summary>
    public static EntryAssessment Gate(RiskGate gate, TradingDecision decision, ScalpingState state, PortfolioSnapshot portfolio, Ticker ticker, RiskContext context, decimal quoteRate = 1m)
    {
        var verdict = gate.CheckEntry(new EntryCheck(decision, state, portfolio.OpenPositions, portfolio.HoldsSymbol, portfolio.QuoteFree, ticker.SpreadPercent, context, quoteRate));
        return new EntryAssessment(verdict, verdict.Approved ? null : decision.AsHold($"risk gate: {verdict.Reason}"), context);
    }

    /// <summary>
    /// The entry order for an approved <paramref name="notional"/> (<see cref="TradeDesk.EntryRequest"/>) cut to what
    /// <paramref name="book"/> can fill now (<see cref="TradeDesk.SizedToBook"/>); false with the refusal when even that
    /// breaks the market's minimum amount or notional.
    /// </summary>
    public static bool TryEntryOrder(
        TradingDecision decision,
        Ticker ticker,
        decimal notional,
        decimal sizingBufferPercent,
        MarketInfo market,
        OrderBook book,
        [NotNullWhen(true)] out OrderRequest? request,
        [NotNullWhen(false)] out string? refusal)
    {
        var sized = TradeDesk.SizedToBook(TradeDesk.EntryRequest(decision, ticker, notional, sizingBufferPercent), market, book, out refusal);
        request = refusal is null ? sized : null;
        return refusal is null;
    }

    /// <summary>The HOLD an entry order becomes when it filled nothing.</summary>
    public static TradingDecision Unfilled(TradingDecision decision, Order order) =>
        decision.AsHold($"entry order {order.Id} filled nothing ({order.Status})");
}
