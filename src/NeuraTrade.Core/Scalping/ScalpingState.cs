using NeuraTrade.Core.Risk;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// The scalper's durable state: the toggle, today's and total realized PnL, and the last scan.
/// Daily figures belong to one UTC calendar day (<see cref="PnlDay"/>) and restart at midnight UTC.
/// </summary>
public sealed record ScalpingState(
    bool Active,
    DateOnly PnlDay,
    decimal DailyRealizedPnl,
    decimal TotalRealizedPnl,
    int TradesToday,
    int WinsToday,
    DateTimeOffset? LastScanAt,
    string? LastScanSummary,
    DateTimeOffset? UpdatedAt) : IRiskState
{
    /// <summary>
    /// The highest equity (realized plus unrealized PnL) a scan saw on <see cref="PnlDay"/>: the drawdown limit measures
    /// from it, so a day at +200 unrealized that falls to −100 has a drawdown of 300, not 100. Restarts each UTC day.
    /// </summary>
    public decimal DayPeakEquity { get; init; }

    /// <summary>How many times today a scan asked the brain about a symbol.</summary>
    public int AskedToday { get; init; }

    /// <summary>How many times today the economy screen kept a symbol from the model (no call, a HOLD with the figures).</summary>
    public int ScreenedToday { get; init; }

    /// <summary>
    /// The arbitrage's realized PnL on <see cref="PnlDay"/>, added by the arbitrage engine after each executed arbitrage
    /// (<see cref="WithArbitrage"/>): it counts in the account-wide daily loss limit, not in the scalper's trades, win rate or
    /// drawdown. Restarts each UTC day.
    /// </summary>
    public decimal ArbitrageRealizedToday { get; init; }

    /// <summary>This state with an arbitrage's realized <paramref name="profit"/>, decided at <paramref name="at"/>, counted on its UTC day.</summary>
    public ScalpingState WithArbitrage(decimal profit, DateTimeOffset at)
    {
        if (DateOnly.FromDateTime(at.UtcDateTime) < PnlDay)
        {
            return this; // a late write for a day already past: that day's limit is over
        }

        var today = On(at);
        return today with { ArbitrageRealizedToday = today.ArbitrageRealizedToday + profit };
    }

    /// <summary>This state after a scan that finished at <paramref name="at"/>: the last scan, and the day's asked and screened counts.</summary>
    public ScalpingState WithScan(DateTimeOffset at, string summary, int asked, int screened) =>
        WithAsked(at, asked, screened) with { LastScanAt = at, LastScanSummary = summary };

    /// <summary>This state with <paramref name="asked"/> and <paramref name="screened"/> symbol checks counted on <paramref name="at"/>'s UTC day (a fanned-out symbol's scan).</summary>
    public ScalpingState WithAsked(DateTimeOffset at, int asked, int screened)
    {
        var today = On(at);
        return today with { AskedToday = today.AskedToday + asked, ScreenedToday = today.ScreenedToday + screened };
    }

    /// <summary>This state with <paramref name="equity"/> (today's realized plus unrealized PnL, seen at <paramref name="now"/>) counted in the day's peak.</summary>
    public ScalpingState WithEquitySeen(decimal equity, DateTimeOffset now)
    {
        var today = On(now);
        return equity > today.DayPeakEquity ? today with { DayPeakEquity = equity } : today;
    }

    public static ScalpingState Initial(bool active, DateTimeOffset now) =>
        new(active, DateOnly.FromDateTime(now.UtcDateTime), 0m, 0m, 0, 0, null, null, null);

    /// <summary>The same state seen on <paramref name="now"/>'s UTC day: daily figures restart on a new day.</summary>
    public ScalpingState On(DateTimeOffset now)
    {
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        return day == PnlDay ? this : this with { PnlDay = day, DailyRealizedPnl = 0m, TradesToday = 0, WinsToday = 0, DayPeakEquity = 0m, AskedToday = 0, ScreenedToday = 0, ArbitrageRealizedToday = 0m };
    }

    /// <summary>Adds one closed trade's realized PnL, counted on <paramref name="closedAt"/>'s UTC day.</summary>
    public ScalpingState WithClosedTrade(decimal realizedPnl, DateTimeOffset closedAt)
    {
        if (DateOnly.FromDateTime(closedAt.UtcDateTime) < PnlDay)
        {
            // A late write for a day already past: it counts in the total, never in (or as a reset of) today.
            return this with { TotalRealizedPnl = TotalRealizedPnl + realizedPnl };
        }

        var today = On(closedAt);
        return today with
        {
            DailyRealizedPnl = today.DailyRealizedPnl + realizedPnl,
            TotalRealizedPnl = today.TotalRealizedPnl + realizedPnl,
            TradesToday = today.TradesToday + 1,
            WinsToday = today.WinsToday + (realizedPnl > 0m ? 1 : 0),
        };
    }
}
