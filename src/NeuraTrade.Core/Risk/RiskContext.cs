using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Risk;

/// <summary>
/// What the limits beyond the day's realized PnL need, derived from stored trades and open positions (so it survives
/// restarts without extra state): the current losing streak, the last stop-loss per symbol, the day's equity peak,
/// and the open positions' unrealized PnL at current prices.
/// </summary>
public sealed record RiskContext(
    DateTimeOffset Now,
    int ConsecutiveLosses,
    DateTimeOffset? LastLossAt,
    IReadOnlyDictionary<string, DateTimeOffset> LastStopLossAt,
    decimal DayPeakPnl,
    decimal UnrealizedPnl,
    decimal UnrealizedLoss)
{
    public static RiskContext None(DateTimeOffset now) => new(now, 0, null, new Dictionary<string, DateTimeOffset>(), 0m, 0m, 0m);

    /// <summary>
    /// Builds the context from closed trades (any order; today's and yesterday's are enough) and the unrealized PnL
    /// of each open position (null where no price is known, counted as 0).
    /// </summary>
    public static RiskContext From(DateTimeOffset now, IEnumerable<Position> closed, IEnumerable<decimal?> unrealizedByPosition)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var trades = closed.Where(p => p.ClosedAt is not null && p.RealizedPnl is not null).OrderBy(p => p.ClosedAt).ToList();
        var streak = 0;
        DateTimeOffset? lastLoss = null;
        var stops = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        decimal running = 0m, peak = 0m;
        foreach (var t in trades)
        {
            var pnl = t.RealizedPnl!.Value;
            if (pnl < 0m)
            {
                streak++;
                lastLoss = t.ClosedAt;
            }
            else
            {
                streak = 0;
            }

            if (t.ExitReason == ExitReason.StopLoss)
            {
                stops[t.Symbol] = t.ClosedAt!.Value;
            }

            if (DateOnly.FromDateTime(t.ClosedAt!.Value.UtcDateTime) == today)
            {
                running += pnl;
                peak = Math.Max(peak, running);
            }
        }

        var unrealized = unrealizedByPosition.Select(u => u ?? 0m).ToList();
        return new RiskContext(now, streak, lastLoss, stops, peak, unrealized.Sum(), unrealized.Where(u => u < 0m).Sum());
    }
}
