using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

public sealed class ExitRulesTests
{
    private static readonly TimeSpan HoldTime = TimeSpan.FromMinutes(2);
    private static readonly DateTimeOffset Soon = TestMarket.T0.AddSeconds(30);

    [Fact]
    public void Long_position_exits_at_stop_loss_when_bid_touches_stop()
    {
        var position = Long(stop: 99m, target: 102m);

        Assert.Equal(ExitReason.StopLoss, ExitRules.Evaluate(position, Quote(99m, 99.1m), Soon, HoldTime));
        Assert.Equal(ExitReason.StopLoss, ExitRules.Evaluate(position, Quote(98.5m, 98.6m), Soon, HoldTime));
        Assert.Null(ExitRules.Evaluate(position, Quote(99.01m, 99.1m), Soon, HoldTime));
    }

    [Fact]
    public void Long_position_exits_at_take_profit_when_bid_reaches_target()
    {
        var position = Long(stop: 99m, target: 102m);

        Assert.Equal(ExitReason.TakeProfit, ExitRules.Evaluate(position, Quote(102m, 102.1m), Soon, HoldTime));
        Assert.Equal(ExitReason.TakeProfit, ExitRules.Evaluate(position, Quote(103m, 103.1m), Soon, HoldTime));
    }

    [Fact]
    public void Long_position_judges_the_target_on_the_bid_not_the_ask()
    {
        // The ask is through the target, but a long sells at the bid, which is not.
        var reason = ExitRules.Evaluate(Long(stop: 99m, target: 102m), Quote(101.9m, 102.5m), Soon, HoldTime);

        Assert.Null(reason);
    }

    [Fact]
    public void Stop_loss_wins_when_one_candle_touches_both_barriers()
    {
        // A ticker cannot be through both barriers of a sound position; a candle can (low under the stop, high over the target).
        var candle = new Candle(TestMarket.T0, 100m, 102.5m, 98.5m, 101m, 1m);

        Assert.Equal(ExitReason.StopLoss, ExitRules.Evaluate(Long(stop: 99m, target: 102m), candle, Soon, HoldTime));
    }

    [Fact]
    public void Stop_loss_wins_over_an_expired_hold_time()
    {
        var reason = ExitRules.Evaluate(Long(stop: 99m, target: 102m), Quote(98m, 98.1m), TestMarket.T0.AddHours(1), HoldTime);

        Assert.Equal(ExitReason.StopLoss, reason);
    }

    [Fact]
    public void Position_times_out_once_the_hold_time_has_passed()
    {
        var position = Long(stop: 99m, target: 102m);
        var quote = Quote(100m, 100.1m);

        Assert.Null(ExitRules.Evaluate(position, quote, TestMarket.T0 + HoldTime - TimeSpan.FromMilliseconds(1), HoldTime));
        Assert.Equal(ExitReason.Timeout, ExitRules.Evaluate(position, quote, TestMarket.T0 + HoldTime, HoldTime));
        Assert.Equal(ExitReason.Timeout, ExitRules.Evaluate(position, quote, TestMarket.T0.AddMinutes(10), HoldTime));
    }

    [Fact]
    public void Long_position_between_barriers_before_timeout_stays_open()
    {
        Assert.Null(ExitRules.Evaluate(Long(stop: 99m, target: 102m), Quote(100m, 100.1m), Soon, HoldTime));
    }

    [Fact]
    public void Short_position_exits_at_stop_loss_when_ask_touches_stop()
    {
        var position = Short(stop: 101m, target: 98m);

        Assert.Equal(ExitReason.StopLoss, ExitRules.Evaluate(position, Quote(100.9m, 101m), Soon, HoldTime));
        Assert.Equal(ExitReason.StopLoss, ExitRules.Evaluate(position, Quote(101.4m, 101.5m), Soon, HoldTime));
    }

    [Fact]
    public void Short_position_exits_at_take_profit_when_ask_reaches_target()
    {
        var reason = ExitRules.Evaluate(Short(stop: 101m, target: 98m), Quote(97.9m, 98m), Soon, HoldTime);

        Assert.Equal(ExitReason.TakeProfit, reason);
    }

    [Fact]
    public void Short_position_judges_barriers_on_the_ask_not_the_bid()
    {
        var position = Short(stop: 101m, target: 98m);

        // Bid through the target but the ask (where a short buys back) is not.
        Assert.Null(ExitRules.Evaluate(position, Quote(97.9m, 98.1m), Soon, HoldTime));

        // Bid below the stop does not stop a short out.
        Assert.Null(ExitRules.Evaluate(position, Quote(100.8m, 100.9m), Soon, HoldTime));
    }

    [Fact]
    public void Short_stop_loss_wins_when_one_candle_touches_both_barriers_and_short_times_out()
    {
        Assert.Equal(ExitReason.StopLoss, ExitRules.Evaluate(Short(stop: 101m, target: 98m), new Candle(TestMarket.T0, 100m, 101.5m, 97.5m, 99m, 1m), Soon, HoldTime));
        Assert.Equal(ExitReason.Timeout, ExitRules.Evaluate(Short(stop: 101m, target: 98m), Quote(99.9m, 100m), TestMarket.T0 + HoldTime, HoldTime));
    }

    private static Position Long(decimal stop, decimal target) =>
        new("pos-1", "BTC/USDT", PositionSide.Long, 1m, 100m, 0.1m, stop, target, TestMarket.T0, "o-1", "d-1", TestMarket.T0);

    private static Position Short(decimal stop, decimal target) =>
        new("pos-2", "BTC/USDT", PositionSide.Short, 1m, 100m, 0.1m, stop, target, TestMarket.T0, "o-2", "d-2", TestMarket.T0);

    private static Ticker Quote(decimal bid, decimal ask) =>
        new("BTC/USDT", Soon, bid, ask, (bid + ask) / 2m, ask, bid, 1m);
}
