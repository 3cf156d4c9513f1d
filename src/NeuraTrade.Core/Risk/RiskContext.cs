using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Risk;

/// <summary>
/// What the limits beyond the day's realized PnL need, derived from stored trades and open positions (so it survives
/// restarts without extra state): the current losing streak, the last stop-loss per symbol, the day's equity peak,
/// and the open positions' unrealized PnL at current prices. Every amount is in the account's currency
/// (<see cref="Trading.AccountValuation"/>): trades count their <see cref="Position.AccountPnl"/>.
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
    /// <summary>Today's realized PnL over the trades read (what <see cref="DayPeakPnl"/> is the peak of).</summary>
    public decimal DayRealizedPnl { get; init; }

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
            if (p.ClosedAt is { } at && p.AccountPnl is { } pnl)
            {
                trades.Add((at, trades.Count, p, pnl));
            }
        }

        SortOldestFirst(trades);
        var stops = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var tally = new Tally(0, null, stops, stops, 0m, 0m, today);
        foreach (var (at, _, t, pnl) in trades)
        {
            tally.Add(at, t, pnl);
        }

        return tally.ToContext(now);
    }

    /// <summary>
    /// This closed-trade context (<see cref="FromClosed"/>) with one more trade that closed after every trade it was built
    /// from, on its own UTC day: the same as building it again with that trade added (one step of the same tally), for a
    /// caller that follows trades as they close. A trade closed at the same instant as the last one, or on another day,
    /// needs <see cref="FromClosed"/> again (ties keep the order the desk gives them).
    /// </summary>
    public RiskContext After(Position trade)
    {
        if (trade.ClosedAt is not { } at || trade.AccountPnl is not { } pnl)
        {
            return this;
        }

        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        if (DateOnly.FromDateTime(at.UtcDateTime) != today)
        {
            throw new ArgumentException($"a trade closed on {at:O} is not on this context's day {today}", nameof(trade));
        }

        var tally = new Tally(ConsecutiveLosses, LastLossAt, LastStopLossAt, null, DayRealizedPnl, DayPeakPnl, today);
        tally.Add(at, trade, pnl);
        return tally.ToContext(Now);
    }

    /// <summary>One pass over closed trades, oldest first: the losing streak, the last loss, the last stop per symbol, and today's running PnL and its peak.</summary>
    /// <param name="owned">The same dictionary as <paramref name="stops"/> when the tally may write to it; null when it is
    /// another context's, and a stop then writes to a copy.</param>
    private struct Tally(int streak, DateTimeOffset? lastLoss, IReadOnlyDictionary<string, DateTimeOffset> stops, Dictionary<string, DateTimeOffset>? owned, decimal running, decimal peak, DateOnly today)
    {
        private IReadOnlyDictionary<string, DateTimeOffset> _stops = stops;
        private Dictionary<string, DateTimeOffset>? _owned = owned;
        private int _streak = streak;
        private DateTimeOffset? _lastLoss = lastLoss;
        private decimal _running = running;
        private decimal _peak = peak;

        public void Add(DateTimeOffset at, Position trade, decimal pnl)
        {
            if (pnl < 0m)
            {
                _streak++;
                _lastLoss = at;
            }
            else
            {
                _streak = 0;
            }

            if (trade.ExitReason == ExitReason.StopLoss)
            {
                _owned ??= new Dictionary<string, DateTimeOffset>(_stops, StringComparer.Ordinal);
                _owned[trade.Symbol] = at;
                _stops = _owned;
            }

            if (DateOnly.FromDateTime(at.UtcDateTime) == today)
            {
                _running += pnl;
                _peak = Math.Max(_peak, _running);
            }
        }

        public readonly RiskContext ToContext(DateTimeOffset now) =>
            new(now, _streak, _lastLoss, _stops, _peak, 0m, 0m) { DayRealizedPnl = _running };
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
