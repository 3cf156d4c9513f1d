using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests.Learning;

public sealed class TradeOutcomeTests
{
    internal static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Closed_in_two_parts_is_one_outcome_with_summed_pnl_fees_and_the_first_exit_reason()
    {
        var decision = Decision("d1", 0.8m);
        // Long 2 at 100, entry fee 0.2 split 0.15 / 0.05 over the parts.
        var first = Part("d1", "pos-d1", PositionSide.Long, 1.5m, 100m, 0.15m, 102m, 0.15m, T0.AddSeconds(60), ExitReason.TakeProfit) with { BestPrice = 103m, WorstPrice = 99.5m };
        var rest = Part("d1", "pos-d1-r1", PositionSide.Long, 0.5m, 100m, 0.05m, 99m, 0.05m, T0.AddSeconds(120), ExitReason.Timeout) with { BestPrice = 103m, WorstPrice = 98.5m };

        var outcome = TradeOutcome.Closed(decision, [rest, first]);

        // (102 - 100) * 1.5 - 0.15 - 0.15 = 2.7; (99 - 100) * 0.5 - 0.05 - 0.05 = -0.6; total 2.1 on 200 of notional = 1.05%.
        Assert.Equal(2.1m, outcome.Pnl);
        Assert.Equal(1.05m, outcome.PnlPercent);
        Assert.Equal(0.4m, outcome.Fees);
        Assert.Equal(OutcomeResult.Win, outcome.Result);
        Assert.Equal(2, outcome.Parts);
        Assert.Equal(TimeSpan.FromSeconds(120), outcome.Hold);
        Assert.Equal(ExitReason.TakeProfit, outcome.ExitReason);
        // Best 103 = +3% of 100; worst 98.5 = 1.5% against.
        Assert.Equal((3m, 1.5m), (outcome.MfePercent, outcome.MaePercent));
        Assert.Equal((0.8m, "rules-v1", PositionSide.Long), (outcome.Confidence, outcome.Model, outcome.Side));
        Assert.Equal(decision.Features, outcome.Features);
    }

    [Fact]
    public void Closed_short_gains_when_the_price_falls_and_measures_excursion_the_other_way()
    {
        // Short 1 at 100 stopped at 101, fees 0.1 each: (100 - 101) * 1 - 0.2 = -1.2 = -1.2% of 100.
        var part = Part("d2", "pos-d2", PositionSide.Short, 1m, 100m, 0.1m, 101m, 0.1m, T0.AddMinutes(2), ExitReason.StopLoss) with { BestPrice = 99.5m, WorstPrice = 100.8m };

        var outcome = TradeOutcome.Closed(Decision("d2", 0.7m), [part]);

        Assert.Equal((OutcomeResult.Loss, -1.2m, -1.2m), (outcome.Result, outcome.Pnl, outcome.PnlPercent));
        // Best for a short is the lowest ask: 99.5 = 0.5% in favour; the exit at 101 is the worst, 1% against.
        Assert.Equal((0.5m, 1m), (outcome.MfePercent, outcome.MaePercent));
    }

    [Fact]
    public void Closed_at_no_gain_after_fees_is_a_breakeven()
    {
        // Long 1 at 100 out at 100.2 with 0.1 of fees each way: 0.2 - 0.2 = 0.
        var part = Part("d3", "pos-d3", PositionSide.Long, 1m, 100m, 0.1m, 100.2m, 0.1m, T0.AddMinutes(2), ExitReason.Timeout);

        var outcome = TradeOutcome.Closed(Decision("d3", 0.6m), [part]);

        Assert.Equal((OutcomeResult.Breakeven, 0m), (outcome.Result, outcome.Pnl));
        // No check saw the position: only the exit price, 0.2% in favour, none against.
        Assert.Equal((0.2m, 0m), (outcome.MfePercent, outcome.MaePercent));
    }

    [Fact]
    public void NotTraded_tells_held_refused_and_expired_apart()
    {
        var held = Decision("h", 0.9m) with { Action = TradeAction.Hold, Side = null };
        var refused = Decision("r", 0.9m).AsHold("risk gate: net edge 0.01% is below Scalping:MinNetEdgePercent 0.02%");
        var expired = Decision("e", 0.9m).AsHold("decision is older than Scalping:MaxDecisionAge 00:00:30");
        var executed = Decision("x", 0.9m) with { ExecutedAt = T0 };

        Assert.Equal(OutcomeResult.Held, TradeOutcome.NotTraded(held)!.Result);
        var r = TradeOutcome.NotTraded(refused)!;
        Assert.Equal((OutcomeResult.Refused, PositionSide.Long), (r.Result, r.Side));
        Assert.StartsWith("risk gate: net edge", r.Reason, StringComparison.Ordinal);
        Assert.Equal(OutcomeResult.Expired, TradeOutcome.NotTraded(expired)!.Result);
        Assert.Null(TradeOutcome.NotTraded(executed));
        Assert.False(r.IsTrade);
    }

    [Fact]
    public void Tracked_position_keeps_its_best_and_worst_exit_side_price()
    {
        var p = Part("d4", "pos-d4", PositionSide.Long, 1m, 100m, 0m, null, null, null, null);

        var seen = p.Tracked(101m).Tracked(99m).Tracked(100.5m);

        Assert.Equal((101m, 99m), (seen.BestPrice, seen.WorstPrice));
        Assert.Same(seen, seen.Tracked(100m));
    }

    internal static TradingDecision Decision(string id, decimal confidence, string symbol = "BTC/USDT", string model = "rules-v1") =>
        new(id, symbol, TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 10m, 100m, 99m, 102m, confidence, "why", string.Empty, string.Empty, model, 0, T0, DecisionSource.Scan, 100m)
        {
            Features = new MarketFeatures(0.12m, 0.01m, 0.05m, 0.2m, 55m, 14),
        };

    internal static Position Part(string decisionId, string id, PositionSide side, decimal amount, decimal entry, decimal entryFee, decimal? exit, decimal? exitFee, DateTimeOffset? closedAt, ExitReason? reason) =>
        new(id, "BTC/USDT", side, amount, entry, entryFee, side == PositionSide.Long ? 99m : 101m, side == PositionSide.Long ? 102m : 98m, T0, "o1", decisionId, T0, exit, exitFee, closedAt, reason);
}
