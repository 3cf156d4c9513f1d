using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// Code-run exits, never waiting on a brain: a triple barrier per position (stop, target, hold time), whichever is
/// hit first. A long exits on the bid, a short on the ask. When a price or a candle is at or through both barriers
/// the stop wins (the conservative assumption: within one candle we cannot know which came first); hold-time expiry
/// comes last. A stop moved to or past the entry (break-even or trailing) exits as <see cref="ExitReason.TrailingStop"/>.
/// </summary>
public static class ExitRules
{
    public static ExitReason? Evaluate(Position position, Ticker ticker, DateTimeOffset now, TimeSpan holdTime)
    {
        var price = position.Side == PositionSide.Long ? ticker.Bid : ticker.Ask;
        return Evaluate(position, price, price, now, holdTime);
    }

    /// <summary>
    /// The barrier a candle touched. Both touched in one candle: the stop (documented conservative assumption).
    /// For a long the stop is touched by the low and the target by the high; for a short the other way round.
    /// </summary>
    public static ExitReason? Evaluate(Position position, Candle candle, DateTimeOffset now, TimeSpan holdTime) =>
        position.Side == PositionSide.Long
            ? Evaluate(position, candle.Low, candle.High, now, holdTime)
            : Evaluate(position, candle.High, candle.Low, now, holdTime);

    /// <summary>
    /// The stop a position should have now, given the exit-side price: moved to break-even (the entry plus both fees, so a
    /// break-even exit nets zero) once the price is <paramref name="breakEvenTriggerPercent"/> in profit, and trailing <paramref name="trailingStopPercent"/> behind
    /// the price. A stop only ever tightens. Null when it stays where it is.
    /// </summary>
    public static decimal? AdjustedStop(Position position, decimal exitPrice, decimal trailingStopPercent, decimal breakEvenTriggerPercent, Risk.RoundTripCost costs)
    {
        var isLong = position.Side == PositionSide.Long;
        var candidate = position.StopLoss;
        if (breakEvenTriggerPercent > 0m)
        {
            var trigger = position.EntryPrice * (isLong ? 1m + (breakEvenTriggerPercent / 100m) : 1m - (breakEvenTriggerPercent / 100m));
            if (isLong ? exitPrice >= trigger : exitPrice <= trigger)
            {
                // Break-even means a zero result after both fees: the entry's fee paid and the exit's to come.
                // Only once the price is beyond it: a stop above the bid (below the ask) would fire at once, at a loss.
                var breakEven = costs.BreakEvenPrice(isLong, position.EntryPrice, position.Amount, position.EntryFee);
                if (isLong ? exitPrice > breakEven : exitPrice < breakEven)
                {
                    candidate = isLong ? Math.Max(candidate, breakEven) : Math.Min(candidate, breakEven);
                }
            }
        }

        if (trailingStopPercent > 0m)
        {
            // Trails only once in profit, so it never loosens the original stop nor fires before the trade has worked.
            var trail = exitPrice * (isLong ? 1m - (trailingStopPercent / 100m) : 1m + (trailingStopPercent / 100m));
            if (isLong ? trail >= position.EntryPrice : trail <= position.EntryPrice)
            {
                candidate = isLong ? Math.Max(candidate, trail) : Math.Min(candidate, trail);
            }
        }

        candidate = Math.Round(candidate, 8, isLong ? MidpointRounding.ToZero : MidpointRounding.AwayFromZero);
        return (isLong ? candidate > position.StopLoss : candidate < position.StopLoss) ? candidate : null;
    }

    /// <param name="adverse">The worst exit-side price seen (low for a long, high for a short).</param>
    /// <param name="favourable">The best exit-side price seen.</param>
    private static ExitReason? Evaluate(Position position, decimal adverse, decimal favourable, DateTimeOffset now, TimeSpan holdTime)
    {
        var isLong = position.Side == PositionSide.Long;
        if (isLong ? adverse <= position.StopLoss : adverse >= position.StopLoss)
        {
            return position.StopIsTrailing ? ExitReason.TrailingStop : ExitReason.StopLoss;
        }

        if (isLong ? favourable >= position.TakeProfit : favourable <= position.TakeProfit)
        {
            return ExitReason.TakeProfit;
        }

        return now - position.OpenedAt >= holdTime ? ExitReason.Timeout : null;
    }
}
