using CsCheck;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>Partial exits, trailing and break-even stops, and PnL properties of the position lifecycle.</summary>
public sealed class PositionLifecycleTests
{
    private static readonly TimeSpan HoldTime = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_partly_filled_exit_closes_only_what_filled_and_keeps_the_rest_open()
    {
        var position = Long(amount: 2m, entryFee: 0.2m);

        var (closed, remainder) = position.CloseFilled(ExitOrder(filled: 0.5m, price: 110m, fee: 0.05m), ExitReason.TakeProfit, TestMarket.T0.AddMinutes(1));

        Assert.NotNull(closed);
        Assert.NotNull(remainder);
        Assert.Equal((position.Id, 0.5m, 0.05m), (closed.Id, closed.Amount, closed.EntryFee));
        Assert.Equal(((110m - 100m) * 0.5m) - 0.05m - 0.05m, closed.RealizedPnl);
        Assert.Equal(($"{position.Id}-r1", 1.5m, 0.15m), (remainder.Id, remainder.Amount, remainder.EntryFee));
        Assert.True(remainder.IsOpen);
        Assert.Equal($"{position.Id}-r2", remainder.CloseFilled(ExitOrder(0.5m, 110m, 0m), ExitReason.Timeout, TestMarket.T0).Remainder!.Id);
    }

    [Fact]
    public void An_exit_that_filled_nothing_closes_nothing()
    {
        var position = Long();

        var (closed, remainder) = position.CloseFilled(ExitOrder(filled: 0m, price: 0m, fee: 0m), ExitReason.StopLoss, TestMarket.T0);

        Assert.Null(closed);
        Assert.Same(position, remainder);
    }

    [Fact]
    public void Partial_exits_add_up_to_the_pnl_of_one_full_exit_and_count_nothing_twice()
    {
        Gen.Select(Gens.Decimal(0.001m, 10m, 6), Gens.Decimal(0.01m, 0.99m, 2), Gens.Decimal(50m, 150m, 2), Gens.Decimal(0m, 1m, 4), Gen.Bool)
            .Sample((amount, part, exit, entryFee, isLong) =>
            {
                var position = (isLong ? Long(amount: amount, entryFee: entryFee) : Short(amount: amount, entryFee: entryFee));
                var first = Math.Round(amount * part, 6, MidpointRounding.ToZero);
                if (first <= 0m)
                {
                    return;
                }

                var (a, rest) = position.CloseFilled(ExitOrder(first, exit, 0.01m), ExitReason.Timeout, TestMarket.T0);
                var (b, none) = rest!.CloseFilled(ExitOrder(rest.Amount, exit, 0.02m), ExitReason.Timeout, TestMarket.T0);

                Assert.Null(none);
                Assert.Equal(amount, a!.Amount + b!.Amount);
                Assert.Equal(entryFee, a.EntryFee + b.EntryFee);
                Assert.Equal(position.PnlAt(exit, 0.03m), a.RealizedPnl + b.RealizedPnl);
            });
    }

    [Fact]
    public void Mirrored_long_and_short_round_trips_have_mirrored_net_pnl()
    {
        Gen.Select(Gens.Decimal(1m, 1_000m, 2), Gens.Decimal(-50m, 50m, 2), Gens.Decimal(0.0001m, 5m, 4), Gens.Decimal(0m, 1m, 4), Gens.Decimal(0m, 1m, 4))
            .Sample((entry, move, amount, entryFee, exitFee) =>
            {
                var exitLong = entry + move;
                var exitShort = entry - move;
                var @long = Long(amount: amount, entryFee: entryFee) with { EntryPrice = entry };
                var @short = Short(amount: amount, entryFee: entryFee) with { EntryPrice = entry };

                Assert.Equal(@long.PnlAt(exitLong, exitFee), @short.PnlAt(exitShort, exitFee));
                Assert.Equal(@long.PnlAt(exitLong, 0m) + @long.PnlAt(exitShort, 0m), -2m * entryFee);
            });
    }

    [Fact]
    public void Long_trailing_stop_follows_the_bid_up_and_never_down()
    {
        var position = Long(stop: 99m, target: 105m);

        Assert.Null(ExitRules.AdjustedStop(position, 100.2m, 0.5m, 0m, Costs)); // trail 99.699 is under the entry: not yet in profit
        var moved = ExitRules.AdjustedStop(position, 102m, 0.5m, 0m, Costs);
        Assert.Equal(101.49m, moved);
        var trailed = position with { StopLoss = moved!.Value };
        Assert.Null(ExitRules.AdjustedStop(trailed, 101.8m, 0.5m, 0m, Costs));
        Assert.Equal(ExitReason.TrailingStop, ExitRules.Evaluate(trailed, Quote(101.49m, 101.5m), TestMarket.T0.AddSeconds(5), HoldTime));
    }

    [Fact]
    public void Short_stop_moves_to_break_even_once_the_ask_is_far_enough_in_profit()
    {
        var position = Short(stop: 101m, target: 95m);

        Assert.Null(ExitRules.AdjustedStop(position, 99.9m, 0m, 0.2m, Costs));

        // Break-even after both fees: sold 1 at 100 paying 0.1, bought back at p paying 0.1% of p:
        // 100 - 0.1 - 1.001 p = 0  =>  p = 99.9 / 1.001 = 99.8001998001998..., rounded down (in the short's favour) to 99.80019980.
        var stop = ExitRules.AdjustedStop(position, 99.7m, 0m, 0.2m, Costs);
        Assert.Equal(99.80019980m, stop);
        var atBreakEven = position with { StopLoss = stop!.Value };
        Assert.Equal(ExitReason.TrailingStop, ExitRules.Evaluate(atBreakEven, Quote(99.79m, 99.81m), TestMarket.T0.AddSeconds(5), HoldTime));
        Assert.True(atBreakEven.PnlAt(stop.Value, stop.Value * 0.001m) >= 0m);
    }

    [Fact]
    public void Long_break_even_stop_covers_both_fees_and_waits_until_the_bid_is_beyond_it()
    {
        var position = Long(stop: 99m, target: 105m);

        // Bought 1 at 100 paying 0.1; selling at p pays 0.1% of p: 0.999 p - 100.1 = 0  =>  p = 100.2002002..., rounded up: 100.20020021.
        // At a bid of 100.2 the trigger (0.2%) is met but the bid is under break-even: a stop there would fire at a loss.
        Assert.Null(ExitRules.AdjustedStop(position, 100.2m, 0m, 0.2m, Costs));
        Assert.Equal(100.20020021m, ExitRules.AdjustedStop(position, 100.3m, 0m, 0.2m, Costs));
        var raw = position with { StopLoss = 100m };
        Assert.True(raw.PnlAt(100m, 0.1m) < 0m); // the old "break-even" at the raw entry lost both fees
    }

    private static readonly NeuraTrade.Core.Risk.RoundTripCost Costs = new(0.1m, 0.02m, 0.02m);

    [Fact]
    public void Long_position_exits_at_take_profit_when_a_candle_high_reaches_the_target_without_touching_the_stop()
    {
        var candle = new Candle(TestMarket.T0, 100m, 102m, 99.5m, 101.5m, 1m);

        Assert.Equal(ExitReason.TakeProfit, ExitRules.Evaluate(Long(stop: 99m, target: 102m), candle, TestMarket.T0.AddSeconds(5), HoldTime));
    }

    private static Position Long(decimal amount = 1m, decimal entryFee = 0.1m, decimal stop = 99m, decimal target = 101m) =>
        new("pos-1", "BTC/USDT", PositionSide.Long, amount, 100m, entryFee, stop, target, TestMarket.T0, "o-1", "d-1", TestMarket.T0);

    private static Position Short(decimal amount = 1m, decimal entryFee = 0.1m, decimal stop = 101m, decimal target = 99m) =>
        new("pos-2", "BTC/USDT", PositionSide.Short, amount, 100m, entryFee, stop, target, TestMarket.T0, "o-2", "d-2", TestMarket.T0);

    private static Order ExitOrder(decimal filled, decimal price, decimal fee) =>
        new("x-1", "nt-exit-pos-1", "BTC/USDT", OrderType.Market, OrderSide.Sell, filled > 0m ? OrderStatus.Expired : OrderStatus.Canceled, 2m, filled, price, filled * price, fee, "USDT", TestMarket.T0);

    private static Ticker Quote(decimal bid, decimal ask) => new("BTC/USDT", TestMarket.T0, bid, ask, (bid + ask) / 2m, ask, bid, 1m);
}
