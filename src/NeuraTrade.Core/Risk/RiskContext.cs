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
    public static RiskContext From(DateTimeOffset now, IEnumerable<Position> closed, IEnumerable<decimal?> unrealizedByPosition) =>
        FromClosed(now, closed).WithUnrealized(now, unrealizedByPosition);

    /// <summary>The part of <see cref="From"/> that depends on closed trades only (nothing open), for callers that reuse it.</summary>
    public static RiskContext FromClosed(DateTimeOffset now, IEnumerable<Position> closed)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);

        // Oldest close first; trades closed at the same instant keep their given order (a stable sort).
        var trades = new List<(DateTimeOffset At, int Order, Position Trade, decimal Pnl)>();
        foreach (var p in closed)
        {
            if (p.ClosedAt is { } at && p.RealizedPnl is { } pnl)
            {
                trades.Add((at, trades.Count, p, pnl));
            }
        }

        SortOldestFirst(trades);
        var streak = 0;
        DateTimeOffset? lastLoss = null;
        var stops = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        decimal running = 0m, peak = 0m;
        foreach (var (at, _, t, pnl) in trades)
        {
            if (pnl < 0m)
            {
                streak++;
                lastLoss = at;
            }
            else
            {
                streak = 0;
            }

            if (t.ExitReason == ExitReason.StopLoss)
            {
                stops[t.Symbol] = at;
            }

            if (DateOnly.FromDateTime(at.UtcDateTime) == today)
            {
                running += pnl;
                peak = Math.Max(peak, running);
            }
        }

        return new RiskContext(now, streak, lastLoss, stops, peak, 0m, 0m);
    }

    /// <summary>
    /// A stable sort by close time. The trade desk reads today's trades then yesterday's, each newest first: already
    /// in descending order, which is reversed in one pass (ties keep their given order); anything else is sorted.
    /// </summary>
    private static void SortOldestFirst(List<(DateTimeOffset At, int Order, Position Trade, decimal Pnl)> trades)
    {
        for (var i = 1; i < trades.Count; i++)
        {
            if (trades[i].At > trades[i - 1].At)
            {
                trades.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));
                return;
            }
        }

        trades.Reverse();
        for (var start = 0; start < trades.Count;)
        {
            var end = start + 1;
            while (end < trades.Count && trades[end].At == trades[start].At)
            {
                end++;
            }

            trades.Reverse(start, end - start);
            start = end;
        }
    }

    /// <summary>This context at <paramref name="now"/> with the open positions' unrealized PnL (null where no price is known, counted as 0).</summary>
    public RiskContext WithUnrealized(DateTimeOffset now, IEnumerable<decimal?> unrealizedByPosition)
    {
        decimal unrealized = 0m, unrealizedLoss = 0m;
        foreach (var u in unrealizedByPosition)
        {
            var value = u ?? 0m;
            unrealized += value;
            unrealizedLoss += value < 0m ? value : 0m;
        }

        return this with { Now = now, UnrealizedPnl = unrealized, UnrealizedLoss = unrealizedLoss };
    }
}
