using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests.Learning;

public sealed class PerformanceStatisticsTests
{
    private static readonly DateTimeOffset T0 = TradeOutcomeTests.T0;

    [Fact]
    public void Compute_gives_the_hand_computed_figures()
    {
        // In resolution order: +3, -1, -2, +1.5, 0 (breakeven); held 2, 4, 6, 8, 10 minutes.
        var outcomes = new[]
        {
            Trade("a", 3m, 2, ExitReason.TakeProfit),
            Trade("b", -1m, 4, ExitReason.StopLoss),
            Trade("c", -2m, 6, ExitReason.StopLoss, PositionSide.Short),
            Trade("d", 1.5m, 8, ExitReason.Timeout, PositionSide.Short),
            Trade("e", 0m, 10, ExitReason.Timeout),
            Held("f"),
        };

        var s = PerformanceStatistics.Compute(outcomes);

        Assert.Equal((5, 2, 2, 1), (s.Trades, s.Wins, s.Losses, s.Breakevens));
        Assert.Equal((3, 2), (s.Longs, s.Shorts));
        Assert.Equal(40m, s.WinRatePercent); // 2 of 5
        Assert.Equal((1.5m, 4.5m, 3m), (s.NetPnl, s.GrossProfit, s.GrossLoss));
        Assert.Equal((2.25m, -1.5m), (s.AverageWin, s.AverageLoss)); // (3 + 1.5) / 2; (-1 - 2) / 2
        Assert.Equal(1.5m, s.ProfitFactor); // 4.5 / 3
        Assert.Equal(0.3m, s.Expectancy); // 1.5 / 5
        Assert.Equal(3m, s.MaxDrawdown); // cumulative 3, 2, 0, 1.5, 1.5: from the peak 3 down to 0
        Assert.Equal(6m, s.AverageHoldMinutes); // (2 + 4 + 6 + 8 + 10) / 5
        Assert.Equal(new Dictionary<string, int> { ["stop_loss"] = 2, ["take_profit"] = 1, ["timeout"] = 2 }, s.ExitReasons);
    }

    [Fact]
    public void Drawdown_counts_from_zero_when_the_first_trade_loses_and_no_loss_means_no_profit_factor()
    {
        Assert.Equal(1m, PerformanceStatistics.Compute([Trade("a", -1m, 1, ExitReason.StopLoss), Trade("b", 0.5m, 1, ExitReason.TakeProfit)]).MaxDrawdown);
        var winsOnly = PerformanceStatistics.Compute([Trade("a", 1m, 1, ExitReason.TakeProfit)]);
        Assert.Null(winsOnly.ProfitFactor);
        Assert.Equal(0m, winsOnly.MaxDrawdown);
        var none = PerformanceStatistics.Compute([]);
        Assert.Equal((0, 0m, 0m, (decimal?)null), (none.Trades, none.WinRatePercent, none.Expectancy, none.ProfitFactor));
    }

    [Fact]
    public void Report_groups_by_symbol_model_hour_and_side_and_calibrates_per_model()
    {
        var outcomes = new[]
        {
            Trade("a", 2m, 1, ExitReason.TakeProfit) with { Symbol = "ETH/USDT", Model = "gpt", Confidence = 0.9m },
            Trade("b", -1m, 1, ExitReason.StopLoss) with { Model = "gpt", Confidence = 0.9m },
            Trade("c", 1m, 1, ExitReason.TakeProfit, PositionSide.Short) with { Confidence = 0.6m },
            Held("d"),
        };

        var report = PerformanceStatistics.Report(outcomes);

        Assert.Equal(["BTC/USDT", "ETH/USDT"], report.BySymbol.Select(g => g.Key));
        Assert.Equal([2, 1], report.BySymbol.Select(g => g.Stats.Trades));
        Assert.Equal(["gpt", "rules-v1"], report.ByModel.Select(g => g.Key));
        Assert.Equal(["14"], report.ByHour.Select(g => g.Key));
        Assert.Equal(["long", "short"], report.BySide.Select(g => g.Key));
        Assert.Equal(new Dictionary<string, int> { ["held"] = 1, ["loss"] = 1, ["win"] = 2 }, report.Resolutions);
        // gpt: 0.9 stated, one of two won: ECE |0.9 - 0.5| = 0.4.
        var gpt = report.CalibrationByModel.Single(c => c.Key == "gpt").Table;
        Assert.Equal((2, 0.4m), (gpt.Count, gpt.ExpectedCalibrationError));
        Assert.Equal(3, report.Calibration.Count);
    }

    private static TradeOutcome Trade(string id, decimal pnl, int holdMinutes, ExitReason reason, PositionSide side = PositionSide.Long) =>
        new(id, "BTC/USDT", TradingStrategy.Scalping, "rules-v1", 0.7m,
            pnl > 0m ? OutcomeResult.Win : pnl < 0m ? OutcomeResult.Loss : OutcomeResult.Breakeven, side,
            T0, T0.AddMinutes(holdMinutes * 10 + id[0]), pnl, pnl, 0.1m, TimeSpan.FromMinutes(holdMinutes), reason, null, null, null, null, 1);

    private static TradeOutcome Held(string id) =>
        new(id, "BTC/USDT", TradingStrategy.Scalping, "rules-v1", 0.5m, OutcomeResult.Held, null, T0, T0, 0m, 0m, 0m, null, null, null, null, null, "flat", 0);
}
