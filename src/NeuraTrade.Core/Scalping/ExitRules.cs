using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// Code-run exits, never waiting on a brain. A long exits on the bid, a short on the ask. When a price
/// is at or through both barriers the stop-loss wins (the conservative assumption); hold-time expiry
/// comes last.
/// </summary>
public static class ExitRules
{
    public static ExitReason? Evaluate(Position position, Ticker ticker, DateTimeOffset now, TimeSpan holdTime)
    {
        if (position.Side == PositionSide.Long)
        {
            if (ticker.Bid <= position.StopLoss)
            {
                return ExitReason.StopLoss;
            }

            if (ticker.Bid >= position.TakeProfit)
            {
                return ExitReason.TakeProfit;
            }
        }
        else
        {
            if (ticker.Ask >= position.StopLoss)
            {
                return ExitReason.StopLoss;
            }

            if (ticker.Ask <= position.TakeProfit)
            {
                return ExitReason.TakeProfit;
            }
        }

        return now - position.OpenedAt >= holdTime ? ExitReason.Timeout : null;
    }
}
