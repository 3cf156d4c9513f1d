using NeuraTrade.Backtesting;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The backtest's outcomes are recorded by the learning system's one recording path, whichever engine runs: the report's
/// reliability table counts each decision once (its parts together) and the full and fast engines give the same table.
/// </summary>
public sealed class ReliabilityReportTests
{
    [Fact]
    public async Task Both_engines_record_one_outcome_per_traded_decision_and_agree_on_the_reliability_table()
    {
        var settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", [.. Bundled.Btc]));

        var full = await Bundled.RunRulesAsync(BacktestEngines.Full, settings, new ScalpingOptions());
        var fast = await Bundled.RunRulesAsync(BacktestEngines.Fast, settings, new ScalpingOptions());

        var decisions = full.Trades.GroupBy(t => t.DecisionId).ToList();
        Assert.True(decisions.Count > 10, $"{decisions.Count} traded decisions");
        Assert.Equal(decisions.Count, full.Metrics.Reliability.Count);
        Assert.Equal(full.Metrics.Reliability.Buckets, fast.Metrics.Reliability.Buckets);
        Assert.Equal(full.Metrics.Reliability.BrierScore, fast.Metrics.Reliability.BrierScore);

        // A second, simple model from the report's own trade list: per decision, the summed PnL over the summed entry
        // notional decides a win (above the 0.01% breakeven band); Brier = mean (confidence - win)^2.
        var squared = decisions.Sum(d =>
        {
            var percent = d.Sum(t => t.Pnl) / d.Sum(t => t.Amount * t.EntryPrice) * 100m;
            var won = percent > 0.01m ? 1m : 0m;
            var confidence = d.First().Confidence;
            return (confidence - won) * (confidence - won);
        });
        Assert.Equal(Math.Round(squared / decisions.Count, 6), full.Metrics.Reliability.BrierScore);
        var model = Assert.Single(full.Metrics.ReliabilityByModel);
        Assert.Equal(("rules-v1", decisions.Count), (model.Key, model.Table.Count));
        Assert.Contains("<svg class=\"reliability\"", BacktestHtml.Render(full), StringComparison.Ordinal);
        Assert.Contains("\"reliability\": {", BacktestJson.Serialize(full), StringComparison.Ordinal);
    }
}
