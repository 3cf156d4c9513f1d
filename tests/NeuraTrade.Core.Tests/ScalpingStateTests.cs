using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Tests;

public sealed class ScalpingStateTests
{
    private static readonly DateTimeOffset Morning = new(2024, 5, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Initial_state_starts_on_the_UTC_day_with_zero_figures()
    {
        var state = ScalpingState.Initial(true, new DateTimeOffset(2024, 5, 1, 23, 30, 0, TimeSpan.FromHours(-3)));

        Assert.True(state.Active);
        Assert.Equal(new DateOnly(2024, 5, 2), state.PnlDay);
        Assert.Equal(0m, state.DailyRealizedPnl);
        Assert.Equal(0m, state.TotalRealizedPnl);
        Assert.Equal(0, state.TradesToday);
    }

    [Fact]
    public void WithClosedTrade_counts_trades_and_wins_and_adds_pnl()
    {
        var state = ScalpingState.Initial(true, Morning)
            .WithClosedTrade(5m, Morning.AddHours(1))
            .WithClosedTrade(-3m, Morning.AddHours(2))
            .WithClosedTrade(0m, Morning.AddHours(3));

        Assert.Equal(2m, state.DailyRealizedPnl);
        Assert.Equal(2m, state.TotalRealizedPnl);
        Assert.Equal(3, state.TradesToday);
        Assert.Equal(1, state.WinsToday);
        Assert.Equal(new DateOnly(2024, 5, 1), state.PnlDay);
    }

    [Fact]
    public void On_next_UTC_day_resets_daily_figures_but_keeps_the_total()
    {
        var state = ScalpingState.Initial(true, Morning).WithClosedTrade(-40m, Morning.AddHours(1)) with { LastScanSummary = "ok" };

        var nextDay = state.On(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2024, 5, 2), nextDay.PnlDay);
        Assert.Equal(0m, nextDay.DailyRealizedPnl);
        Assert.Equal(0, nextDay.TradesToday);
        Assert.Equal(0, nextDay.WinsToday);
        Assert.Equal(-40m, nextDay.TotalRealizedPnl);
        Assert.True(nextDay.Active);
        Assert.Equal("ok", nextDay.LastScanSummary);
    }

    [Fact]
    public void On_the_same_UTC_day_changes_nothing_whatever_the_local_offset()
    {
        var state = ScalpingState.Initial(true, Morning).WithClosedTrade(7m, Morning);

        // 01:00 at +02:00 is still 23:00 UTC on May 1.
        Assert.Same(state, state.On(new DateTimeOffset(2024, 5, 2, 1, 0, 0, TimeSpan.FromHours(2))));
        Assert.Same(state, state.On(new DateTimeOffset(2024, 5, 1, 23, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void Trade_closed_on_the_next_day_starts_that_day_fresh()
    {
        var state = ScalpingState.Initial(true, Morning).WithClosedTrade(-30m, Morning).WithClosedTrade(10m, Morning);

        var next = state.WithClosedTrade(4m, new DateTimeOffset(2024, 5, 2, 0, 0, 1, TimeSpan.Zero));

        Assert.Equal(new DateOnly(2024, 5, 2), next.PnlDay);
        Assert.Equal(4m, next.DailyRealizedPnl);
        Assert.Equal(1, next.TradesToday);
        Assert.Equal(1, next.WinsToday);
        Assert.Equal(-16m, next.TotalRealizedPnl);
    }
}
