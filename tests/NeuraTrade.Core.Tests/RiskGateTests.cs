using CsCheck;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

public sealed class RiskGateTests
{
    private static readonly RiskGate Gate = new(Options.Create(new ScalpingOptions()));
    private static readonly ScalpingState Active = ScalpingState.Initial(true, TestMarket.T0);

    [Fact]
    public void Approves_a_sound_entry_capped_at_max_position_size()
    {
        // 10% of 10,000 is 1,000, above the 100 cap.
        var verdict = Gate.CheckEntry(Check());

        Assert.True(verdict.Approved);
        Assert.Equal(100m, verdict.Notional);
        Assert.Null(verdict.Reason);
    }

    [Fact]
    public void Approved_notional_is_size_percent_of_free_funds_below_the_cap()
    {
        Assert.Equal(50m, Gate.CheckEntry(Check(quoteFree: 500m)).Notional);
        Assert.Equal(25m, Gate.CheckEntry(Check(decision: Entry() with { SizePercent = 25m }, quoteFree: 100m)).Notional);
    }

    [Fact]
    public void Approved_notional_is_truncated_to_eight_decimals()
    {
        var verdict = Gate.CheckEntry(Check(decision: Entry() with { SizePercent = 10m }, quoteFree: 333.33333333999m));

        Assert.Equal(33.33333333m, verdict.Notional);
    }

    [Fact]
    public void Rejects_when_scalping_is_toggled_off()
    {
        AssertRejected(Check(state: Active with { Active = false }), "toggled off");
    }

    [Fact]
    public void Rejects_a_decision_that_is_not_an_entry()
    {
        AssertRejected(Check(decision: Entry().AsHold("validator said no")), "not an entry");
        AssertRejected(Check(decision: Entry() with { Action = TradeAction.Close, Side = null }), "not an entry");
    }

    [Fact]
    public void Rejects_confidence_below_the_scalping_minimum()
    {
        AssertRejected(Check(decision: Entry() with { Confidence = 0.59m }), "confidence");
        Assert.True(Gate.CheckEntry(Check(decision: Entry() with { Confidence = 0.6m })).Approved);
    }

    [Fact]
    public void Rejects_when_max_positions_are_open()
    {
        AssertRejected(Check(openPositions: 3), "MaxPositions");
        Assert.True(Gate.CheckEntry(Check(openPositions: 2)).Approved);
    }

    [Fact]
    public void Rejects_a_second_position_in_the_same_symbol()
    {
        AssertRejected(Check(holdsSymbol: true), "already open");
    }

    [Fact]
    public void Rejects_once_the_daily_loss_limit_is_reached()
    {
        AssertRejected(Check(state: Active with { DailyRealizedPnl = -100m }), "daily loss limit");
        AssertRejected(Check(state: Active with { DailyRealizedPnl = -250m }), "daily loss limit");
        Assert.True(Gate.CheckEntry(Check(state: Active with { DailyRealizedPnl = -99.99m })).Approved);
    }

    [Fact]
    public void The_daily_loss_limit_is_the_accounts_the_arbitrages_realized_loss_counts_too()
    {
        // MaxDailyLoss 100: the scalper lost 60 and the arbitrage 40 today, 100 in all: no entry; 39.99 from the arbitrage leaves
        // 0.01 of the budget. An arbitrage profit of 30 lets the scalper lose 129.99 before the limit.
        AssertRejected(Check(state: Active with { DailyRealizedPnl = -60m, ArbitrageRealizedToday = -40m }), "plus -40 from arbitrage");
        Assert.True(Gate.CheckEntry(Check(state: Active with { DailyRealizedPnl = -60m, ArbitrageRealizedToday = -39.99m })).Approved);
        Assert.True(Gate.CheckEntry(Check(state: Active with { DailyRealizedPnl = -129.99m, ArbitrageRealizedToday = 30m })).Approved);
        AssertRejected(Check(state: Active with { DailyRealizedPnl = -130m, ArbitrageRealizedToday = 30m }), "daily loss limit");
    }

    [Fact]
    public void An_arbitrage_loss_counts_on_its_own_day_only()
    {
        // Lost 50 by arbitrage at 23:59 on T0's day; the next day the state restarts and nothing of it is left.
        var day = TestMarket.T0.UtcDateTime.Date;
        var lateLoss = new DateTimeOffset(day.AddHours(23).AddMinutes(59), TimeSpan.Zero);
        var state = Active.WithArbitrage(-50m, lateLoss);
        Assert.Equal(-50m, state.ArbitrageRealizedToday);
        Assert.Equal(-80m, state.WithArbitrage(-30m, lateLoss).ArbitrageRealizedToday);
        Assert.Equal(0m, state.On(lateLoss.AddMinutes(2)).ArbitrageRealizedToday);
        // A late write for a day already past counts nowhere today.
        var nextDay = state.On(lateLoss.AddMinutes(2));
        Assert.Equal(0m, nextDay.WithArbitrage(-50m, lateLoss).ArbitrageRealizedToday);
    }

    [Fact]
    public void Rejects_a_spread_above_the_maximum()
    {
        AssertRejected(Check(spreadPercent: 0.2501m), "MaxSpreadPercent");
        Assert.True(Gate.CheckEntry(Check(spreadPercent: 0.25m)).Approved);
    }

    [Fact]
    public void Rejects_a_target_whose_net_edge_after_the_round_trip_cost_is_below_the_minimum()
    {
        // A round trip costs 2 x 0.1% fees + 2 x 0.02% slippage + the 0.05% spread = 0.29%; the minimum net edge is 0.02%.
        // Entry 100: a target at 100.30 earns 0.30% - 0.29% = 0.01% net: refused; at 100.31 it earns 0.02%: taken.
        AssertRejected(Check(decision: Entry() with { TakeProfit = 100.30m }), "MinNetEdgePercent");
        Assert.True(Gate.CheckEntry(Check(decision: Entry() with { TakeProfit = 100.31m })).Approved);

        // The old check (target distance >= 0.02%) let a 0.02% target through, which loses 0.27% on every take-profit.
        AssertRejected(Check(decision: Entry() with { TakeProfit = 100.02m }), "round trip costs 0.29%");
    }

    [Fact]
    public void Rejects_a_position_below_the_minimum_order_notional()
    {
        // 10% of 99.99 is 9.999 < 10.
        AssertRejected(Check(quoteFree: 99.99m), "below the minimum order");
        AssertRejected(Check(quoteFree: 0m), "below the minimum order");
        Assert.Equal(10m, Gate.CheckEntry(Check(quoteFree: 100m)).Notional);
    }

    [Fact]
    public void Approved_notional_never_exceeds_the_cap_or_free_funds()
    {
        Gen.Select(Gens.Decimal(0.00000001m, 100m), Gens.Decimal(0m, 1_000_000_000m), Gens.Decimal(1m, 10_000_000m), Gens.Decimal(0m, 1_000m))
            .Sample((size, free, cap, minNotional) =>
            {
                var gate = new RiskGate(Options.Create(new ScalpingOptions { MaxPositionSize = cap, MinOrderNotional = minNotional }));

                var verdict = gate.CheckEntry(Check(decision: Entry() with { SizePercent = size }, quoteFree: free));

                var wanted = Math.Min(size / 100m * free, cap);
                if (verdict.Approved)
                {
                    Assert.True(verdict.Notional <= cap, $"notional {verdict.Notional} above cap {cap}");
                    Assert.True(verdict.Notional <= free, $"notional {verdict.Notional} above free {free}");
                    Assert.True(verdict.Notional >= minNotional && verdict.Notional > 0m);
                    Assert.True(wanted - verdict.Notional < 0.00000001m, $"notional {verdict.Notional} far below {wanted}");
                }
                else
                {
                    // Nothing but the size rule can reject this otherwise sound entry.
                    Assert.Contains("minimum order", verdict.Reason, StringComparison.Ordinal);
                    Assert.True(wanted < minNotional + 0.00000001m, $"rejected {wanted} >= {minNotional}");
                }
            });
    }

    private static TradingDecision Entry() =>
        new("d-1", "BTC/USDT", TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 10m, 100m, 99m, 101m, 0.8m,
            "r", "m", "risk", "test", 0, TestMarket.T0, DecisionSource.Scan, 100m);

    private static EntryCheck Check(
        TradingDecision? decision = null,
        ScalpingState? state = null,
        int openPositions = 0,
        bool holdsSymbol = false,
        decimal quoteFree = 10_000m,
        decimal spreadPercent = 0.05m) =>
        new(decision ?? Entry(), state ?? Active, openPositions, holdsSymbol, quoteFree, spreadPercent);

    private static void AssertRejected(EntryCheck check, string reasonFragment)
    {
        var verdict = Gate.CheckEntry(check);

        Assert.False(verdict.Approved);
        Assert.Equal(0m, verdict.Notional);
        Assert.Contains(reasonFragment, verdict.Reason, StringComparison.Ordinal);
    }
}
