using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests.Learning;

public sealed class LearningFeedbackTests
{
    private static readonly DateTimeOffset T0 = TradeOutcomeTests.T0;
    private static readonly MarketFeatures Now = new(0.10m, 0.01m, 0.05m, 0.10m, 50m, 14);

    [Fact]
    public async Task Only_outcomes_resolved_by_the_decision_time_are_visible()
    {
        var store = new InMemoryOutcomeStore();
        await store.SaveAsync(Trade("past", 1m, T0.AddMinutes(-5), Now), CancellationToken.None);
        await store.SaveAsync(Trade("now", -1m, T0, Now), CancellationToken.None);
        await store.SaveAsync(Trade("future", 2m, T0.AddSeconds(1), Now), CancellationToken.None);

        var context = await new OutcomeLearning(store).ForAsync("BTC/USDT", TradingStrategy.Scalping, Now, T0, CancellationToken.None);

        Assert.NotNull(context);
        Assert.Equal([T0, T0.AddMinutes(-5)], context.Recent.Select(r => r.ResolvedAt));
        Assert.Equal(2, context.Stats!.Trades);
        Assert.Null(await new OutcomeLearning(store).ForAsync("BTC/USDT", TradingStrategy.Scalping, Now, T0.AddMinutes(-10), CancellationToken.None));
    }

    [Fact]
    public void Nearest_situations_are_found_by_market_features_not_by_recency()
    {
        // Features (volatility, spread, trend, momentum): "twin" equals now; "close" is off a little in trend; "far" is far in all.
        var twin = Trade("twin", 1m, T0.AddMinutes(-50), Now);
        var close = Trade("close", -1m, T0.AddMinutes(-40), Now with { TrendPercent = 0.06m });
        var far = Trade("far", 1m, T0.AddMinutes(-1), new MarketFeatures(0.9m, 0.2m, -0.8m, -1.5m, 20m, 3));
        var none = Trade("none", 1m, T0, null);

        var nearest = LearningFeedback.Nearest([far, close, twin, none], Now, 2);

        Assert.Equal(["twin", "close"], nearest.Select(t => t.DecisionId));
    }

    [Fact]
    public void Lessons_come_from_enough_trades_and_say_what_went_wrong()
    {
        // Six long entries stated at 0.8: one win, five losses, four of them stopped out.
        var trades = Enumerable.Range(0, 6).Select(i => Trade($"t{i}", i == 0 ? 1m : -1m, T0.AddMinutes(-i), Now, i is > 0 and < 5 ? ExitReason.StopLoss : ExitReason.TakeProfit)).ToList();

        var lessons = LearningFeedback.Lessons(trades, [], Now);

        // Wins 1 of 6 = 17%; stops 4 of 6 > half; (the hour's lesson, a mean of (1 - 5) / 6 = -0.667% at 14 UTC, is third: cut at two).
        Assert.Equal(
            ["Entries at 0.7 or more won 17% of 6: state less.", "4 of 6 trades hit the stop (inside the noise?)."],
            lessons);
        Assert.Empty(LearningFeedback.Lessons(trades.Take(4).ToList(), [], Now));
    }

    private static TradeOutcome Trade(string id, decimal pnlPercent, DateTimeOffset resolvedAt, MarketFeatures? features, ExitReason reason = ExitReason.TakeProfit) =>
        new(id, "BTC/USDT", TradingStrategy.Scalping, "rules-v1", 0.8m, pnlPercent > 0m ? OutcomeResult.Win : OutcomeResult.Loss, PositionSide.Long,
            resolvedAt.AddMinutes(-2), resolvedAt, pnlPercent, pnlPercent, 0.1m, TimeSpan.FromMinutes(2), reason, null, null, features, null, 1);
}
