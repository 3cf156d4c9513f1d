using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>The limits beyond size and count: unrealized daily loss, drawdown, losing streak, stop-loss cooldown, shorts, barrier sides.</summary>
public sealed class RiskLimitsTests
{
    private static readonly DateTimeOffset Now = TestMarket.T0.AddHours(12);
    private static readonly RiskGate Gate = new(Options.Create(new ScalpingOptions()));
    private static readonly ScalpingState Active = ScalpingState.Initial(true, TestMarket.T0);

    [Fact]
    public void Unrealized_losses_of_open_positions_count_toward_the_daily_loss_limit_for_new_entries()
    {
        // Realized -60 (a stored trade) and an open position 45 under water: -105 is past the 100 limit.
        var lost60 = new[] { Closed("a", -60m, Now.AddMinutes(-5)) };
        var context = RiskContext.From(Now, lost60, [-45m, 10m]);

        AssertRejected(Check(state: Active with { DailyRealizedPnl = -60m }, context: context), "daily loss limit");
        Assert.True(Gate.CheckEntry(Check(state: Active with { DailyRealizedPnl = -60m }, context: RiskContext.From(Now, lost60, [-30m]))).Approved);
    }

    [Fact]
    public void A_loss_whose_state_write_failed_still_counts_toward_the_daily_loss_limit()
    {
        // The trade is stored (-100) but the second write, to the scalping state, failed: the state still says 0.
        var context = RiskContext.From(Now, [Closed("a", -100m, Now.AddMinutes(-5))], []);

        AssertRejected(Check(state: Active with { DailyRealizedPnl = 0m }, context: context), "daily loss limit");
    }

    [Fact]
    public void Drawdown_counts_from_the_highest_equity_a_scan_saw_including_unrealized_gains()
    {
        // A scan saw +200 unrealized; now the only position is 60 under water: drawdown 260 >= 150 (MaxDrawdown).
        var context = RiskContext.From(Now, [], [-60m]);
        var state = Active.WithEquitySeen(200m, Now);

        Assert.Equal(200m, state.DayPeakEquity);
        AssertRejected(Check(state: state, context: context), "drawdown 260");

        // Counting realized trades only (none today), the drawdown would be 60: under the limit, and the entry passes.
        Assert.True(Gate.CheckEntry(Check(state: Active, context: context)).Approved);
    }

    [Fact]
    public void Entries_pause_after_the_configured_number_of_losses_in_a_row_until_the_pause_ends()
    {
        var losses = new[] { Closed("a", -1m, Now.AddMinutes(-20)), Closed("b", -2m, Now.AddMinutes(-15)), Closed("c", -3m, Now.AddMinutes(-10)) };

        AssertRejected(Check(context: RiskContext.From(Now, losses, [])), "losses in a row");
        Assert.True(Gate.CheckEntry(Check(context: RiskContext.From(Now.AddMinutes(21), losses, []))).Approved);
        var brokenStreak = losses.Append(Closed("d", 0.5m, Now.AddMinutes(-5)));
        Assert.True(Gate.CheckEntry(Check(context: RiskContext.From(Now, brokenStreak, []))).Approved);
    }

    [Fact]
    public void The_context_reads_trades_in_close_order_whatever_order_they_come_in_and_keeps_the_given_order_of_ties()
    {
        var t = Now.AddMinutes(-30);
        var trades = new[] { Closed("a", -1m, t), Closed("b", 2m, t.AddMinutes(5)), Closed("c", -1m, t.AddMinutes(10)), Closed("d", -1m, t.AddMinutes(15)) };
        var newestFirst = trades.Reverse().ToArray();
        var shuffled = new[] { trades[2], trades[0], trades[3], trades[1] };
        foreach (var given in new[] { trades, newestFirst, shuffled })
        {
            var context = RiskContext.From(Now, given, []);
            Assert.Equal(2, context.ConsecutiveLosses);
            Assert.Equal(t.AddMinutes(15), context.LastLossAt);
            Assert.Equal(1m, context.DayPeakPnl);
        }

        // Two trades closed at the same instant count in the order given (the desk gives the newest first).
        var at = Now.AddMinutes(-1);
        Assert.Equal(1, RiskContext.From(Now, [Closed("w", 1m, at), Closed("l", -1m, at), Closed("x", -1m, at.AddMinutes(-5))], []).ConsecutiveLosses);
        Assert.Equal(0, RiskContext.From(Now, [Closed("l", -1m, at), Closed("w", 1m, at), Closed("x", -1m, at.AddMinutes(-5))], []).ConsecutiveLosses);
        Assert.Equal(1, RiskContext.From(Now, [Closed("x", -1m, at.AddMinutes(-5)), Closed("w", 1m, at), Closed("l", -1m, at)], []).ConsecutiveLosses);
    }

    [Fact]
    public void Following_trades_as_they_close_gives_the_context_built_from_all_of_them()
    {
        // Yesterday's trades count for the streak and stops, today's also for the day's peak.
        var yesterday = Now.AddDays(-1);
        var closed = new List<Position> { Closed("y1", 5m, yesterday), Closed("y2", -1m, yesterday.AddMinutes(5), ExitReason.StopLoss) };
        var followed = RiskContext.FromClosed(Now.AddHours(-2), closed);
        var next = new[]
        {
            Closed("a", -2m, Now.AddHours(-2)), Closed("b", 7m, Now.AddMinutes(-90), ExitReason.TakeProfit), Closed("c", -3m, Now.AddMinutes(-60), ExitReason.StopLoss),
            Closed("d", -1m, Now.AddMinutes(-30)), Closed("e", -1m, Now.AddMinutes(-10), ExitReason.StopLoss),
        };
        foreach (var trade in next)
        {
            followed = followed.After(trade);
            closed.Add(trade);
            var built = RiskContext.FromClosed(Now.AddHours(-2), closed);
            Assert.Equal((built.ConsecutiveLosses, built.LastLossAt, built.DayPeakPnl, built.DayRealizedPnl), (followed.ConsecutiveLosses, followed.LastLossAt, followed.DayPeakPnl, followed.DayRealizedPnl));
            Assert.Equal(built.LastStopLossAt.OrderBy(kv => kv.Key), followed.LastStopLossAt.OrderBy(kv => kv.Key));
        }

        Assert.Equal((3, 5m, 0m), (followed.ConsecutiveLosses, followed.DayPeakPnl, followed.DayRealizedPnl));
        Assert.Throws<ArgumentException>(() => followed.After(Closed("z", 1m, Now.AddDays(1))));
    }

    [Fact]
    public void A_symbol_cools_down_after_a_stop_loss_while_other_symbols_trade()
    {
        var stopped = new[] { Closed("a", -1m, Now.AddMinutes(-2), ExitReason.StopLoss) };
        var context = RiskContext.From(Now, stopped, []);

        AssertRejected(Check(context: context), "cooling down");
        Assert.True(Gate.CheckEntry(Check(decision: Entry() with { Symbol = "ETH/USDT" }, context: context)).Approved);
        Assert.True(Gate.CheckEntry(Check(context: RiskContext.From(Now.AddMinutes(4), stopped, []))).Approved);
    }

    [Fact]
    public void Entries_halt_once_equity_falls_the_max_drawdown_below_the_days_peak()
    {
        // Up 120 on the day, then down to -40 realized (peak 120): a 160 drawdown is past the 150 limit.
        var day = new[] { Closed("a", 120m, Now.AddHours(-3)), Closed("b", -160m, Now.AddHours(-1)) };
        var state = Active.WithClosedTrade(120m, Now.AddHours(-3)).WithClosedTrade(-160m, Now.AddHours(-1));

        AssertRejected(Check(state: state, context: RiskContext.From(Now, day, [])), "MaxDrawdown");
        Assert.Equal(120m, RiskContext.From(Now, day, []).DayPeakPnl);
    }

    [Fact]
    public void Short_entries_are_refused_unless_allowed()
    {
        var sell = Entry() with { Action = TradeAction.Sell, Side = OrderSide.Sell, StopLoss = 101m, TakeProfit = 99m };

        AssertRejected(Check(decision: sell), "AllowShort");
        var shorts = new RiskGate(Options.Create(new ScalpingOptions { AllowShort = true }));
        Assert.True(shorts.CheckEntry(Check(decision: sell)).Approved);
    }

    [Fact]
    public void Barriers_on_the_wrong_side_or_missing_are_refused()
    {
        AssertRejected(Check(decision: Entry() with { StopLoss = 101m, TakeProfit = 102m }), "wrong sides");
        AssertRejected(Check(decision: Entry() with { StopLoss = null }), "stop-loss and take-profit");
        AssertRejected(Check(decision: Entry() with { TakeProfit = -5m }), "stop-loss and take-profit");
    }

    [Fact]
    public void Hostile_size_percent_is_clamped_to_the_free_funds_and_the_cap()
    {
        Assert.Equal(100m, Gate.CheckEntry(Check(decision: Entry() with { SizePercent = 5_000m }, quoteFree: 10_000m)).Notional);
        Assert.Equal(60m, Gate.CheckEntry(Check(decision: Entry() with { SizePercent = 5_000m }, quoteFree: 60m)).Notional);
        AssertRejected(Check(decision: Entry() with { SizePercent = -10m }), "below the minimum order");
    }

    [Fact]
    public void Paused_reason_names_the_limit_that_stops_entries()
    {
        Assert.Equal("scalping is toggled off", Gate.PausedReason(Active with { Active = false }, null));
        Assert.Contains("entries resume next UTC day", Gate.PausedReason(Active with { DailyRealizedPnl = -100m }, null), StringComparison.Ordinal);
        Assert.Null(Gate.PausedReason(Active, RiskContext.None(Now)));
    }

    [Fact]
    public void Conservative_and_aggressive_profiles_set_the_seed_limits()
    {
        var conservative = new ScalpingOptions();
        ScalpingProfiles.Apply(conservative, "conservative");
        var aggressive = new ScalpingOptions();
        ScalpingProfiles.Apply(aggressive, "aggressive");

        Assert.Equal((2, 0.05m, 50m, 50m, TimeSpan.FromMinutes(5)), (conservative.MaxPositions, conservative.MinSpreadPercent, conservative.MaxPositionSize, conservative.MaxDailyLoss, conservative.PositionHoldTime));
        Assert.Equal((5, 0.01m, 200m, 200m, TimeSpan.FromMinutes(1)), (aggressive.MaxPositions, aggressive.MinSpreadPercent, aggressive.MaxPositionSize, aggressive.MaxDailyLoss, aggressive.PositionHoldTime));
    }

    private static Position Closed(string id, decimal pnl, DateTimeOffset closedAt, ExitReason reason = ExitReason.Timeout) =>
        new(id, "BTC/USDT", PositionSide.Long, 1m, 100m, 0m, 99m, 101m, closedAt.AddMinutes(-1), "o-" + id, "d-" + id, closedAt.AddMinutes(-1), 100m + pnl, 0m, closedAt, reason, "x-" + id);

    private static TradingDecision Entry() =>
        new("d-1", "BTC/USDT", TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 10m, 100m, 99m, 101m, 0.8m,
            "r", "m", "risk", "test", 0, TestMarket.T0, DecisionSource.Scan, 100m);

    private static EntryCheck Check(TradingDecision? decision = null, ScalpingState? state = null, RiskContext? context = null, decimal quoteFree = 10_000m) =>
        new(decision ?? Entry(), state ?? Active, 0, false, quoteFree, 0.05m, context ?? RiskContext.None(Now));

    private static void AssertRejected(EntryCheck check, string reasonFragment)
    {
        var verdict = Gate.CheckEntry(check);

        Assert.False(verdict.Approved, $"approved, expected '{reasonFragment}'");
        Assert.Contains(reasonFragment, verdict.Reason, StringComparison.Ordinal);
    }
}
