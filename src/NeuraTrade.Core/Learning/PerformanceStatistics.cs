using System.Globalization;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Learning;

/// <summary>
/// The statistics of a set of trades (decisions that never traded are not counted). PnL in quote currency after fees;
/// a breakeven counts as a trade but neither a win nor a loss. <see cref="AverageLoss"/> is negative;
/// <see cref="ProfitFactor"/> is gross profit over gross loss (null without a loss); <see cref="Expectancy"/> is the
/// mean PnL per trade; <see cref="MaxDrawdown"/> is the deepest fall of the cumulative PnL from its running peak (which
/// starts at 0), trades in resolution order; <see cref="ExitReasons"/> counts each exit reason.
/// </summary>
public sealed record PerformanceStats(
    int Trades,
    int Wins,
    int Losses,
    int Breakevens,
    int Longs,
    int Shorts,
    decimal WinRatePercent,
    decimal NetPnl,
    decimal GrossProfit,
    decimal GrossLoss,
    decimal AverageWin,
    decimal AverageLoss,
    decimal? ProfitFactor,
    decimal Expectancy,
    decimal MaxDrawdown,
    decimal AverageHoldMinutes,
    decimal Fees,
    IReadOnlyDictionary<string, int> ExitReasons);

/// <summary>The statistics of one symbol, strategy, model, hour of day (UTC, of the decision) or side.</summary>
public sealed record PerformanceGroup(string Key, PerformanceStats Stats);

/// <summary>The calibration of one model or strategy: does its stated confidence match how often it wins?</summary>
public sealed record CalibrationGroup(string Key, CalibrationTable Table);

/// <summary>Everything the learning system knows of a set of outcomes: overall, and per symbol, strategy, model, hour and side, with calibration.</summary>
public sealed record PerformanceReport(
    PerformanceStats Overall,
    IReadOnlyList<PerformanceGroup> BySymbol,
    IReadOnlyList<PerformanceGroup> ByStrategy,
    IReadOnlyList<PerformanceGroup> ByModel,
    IReadOnlyList<PerformanceGroup> ByHour,
    IReadOnlyList<PerformanceGroup> BySide,
    IReadOnlyDictionary<string, int> Resolutions,
    CalibrationTable Calibration,
    IReadOnlyList<CalibrationGroup> CalibrationByModel,
    IReadOnlyList<CalibrationGroup> CalibrationByStrategy);

public static class PerformanceStatistics
{
    private const int Decimals = 8;

    /// <summary>The statistics of the trades among <paramref name="outcomes"/>.</summary>
    public static PerformanceStats Compute(IEnumerable<TradeOutcome> outcomes)
    {
        var trades = outcomes.Where(o => o.IsTrade).OrderBy(o => o.ResolvedAt).ThenBy(o => o.DecisionId, StringComparer.Ordinal).ToList();
        var wins = trades.Where(t => t.Result == OutcomeResult.Win).ToList();
        var losses = trades.Where(t => t.Result == OutcomeResult.Loss).ToList();
        var grossProfit = trades.Where(t => t.Pnl > 0m).Sum(t => t.Pnl);
        var grossLoss = -trades.Where(t => t.Pnl < 0m).Sum(t => t.Pnl);
        var net = trades.Sum(t => t.Pnl);
        var peak = 0m;
        var cumulative = 0m;
        var drawdown = 0m;
        foreach (var t in trades)
        {
            cumulative += t.Pnl;
            peak = Math.Max(peak, cumulative);
            drawdown = Math.Max(drawdown, peak - cumulative);
        }

        var holds = trades.Where(t => t.Hold is not null).ToList();
        return new PerformanceStats(
            trades.Count,
            wins.Count,
            losses.Count,
            trades.Count(t => t.Result == OutcomeResult.Breakeven),
            trades.Count(t => t.Side == PositionSide.Long),
            trades.Count(t => t.Side == PositionSide.Short),
            trades.Count == 0 ? 0m : Round((decimal)wins.Count / trades.Count * 100m),
            net,
            grossProfit,
            grossLoss,
            wins.Count == 0 ? 0m : Round(wins.Sum(t => t.Pnl) / wins.Count),
            losses.Count == 0 ? 0m : Round(losses.Sum(t => t.Pnl) / losses.Count),
            grossLoss == 0m ? null : Round(grossProfit / grossLoss),
            trades.Count == 0 ? 0m : Round(net / trades.Count),
            drawdown,
            holds.Count == 0 ? 0m : Round((decimal)holds.Sum(t => t.Hold!.Value.TotalSeconds) / holds.Count / 60m),
            trades.Sum(t => t.Fees),
            trades.Where(t => t.ExitReason is not null)
                .GroupBy(t => ExitReasonName(t.ExitReason!.Value))
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }

    /// <summary>The whole report of <paramref name="outcomes"/>: statistics overall and by group, how the decisions resolved, and calibration.</summary>
    public static PerformanceReport Report(IReadOnlyCollection<TradeOutcome> outcomes, int calibrationBuckets = 10)
    {
        var trades = outcomes.Where(o => o.IsTrade).ToList();
        return new PerformanceReport(
            Compute(trades),
            Group(trades, t => t.Symbol),
            Group(trades, t => StrategyName(t.Strategy)),
            Group(trades, t => t.Model),
            Group(trades, t => HourOf(t).ToString("00", CultureInfo.InvariantCulture)),
            Group(trades, t => t.Side is { } side ? side.ToString().ToLowerInvariant() : "unknown"),
            outcomes.GroupBy(o => o.Result.ToString().ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            CalibrationOf(trades, calibrationBuckets),
            trades.GroupBy(t => t.Model).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new CalibrationGroup(g.Key, CalibrationOf(g, calibrationBuckets))).ToList(),
            trades.GroupBy(t => StrategyName(t.Strategy)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new CalibrationGroup(g.Key, CalibrationOf(g, calibrationBuckets))).ToList());
    }

    /// <summary>The reliability table of trades: stated confidence against a win (a breakeven is not a win).</summary>
    public static CalibrationTable CalibrationOf(IEnumerable<TradeOutcome> trades, int buckets = 10) =>
        Calibration.Compute(trades.Where(t => t.IsTrade).Select(t => (t.Confidence, t.Result == OutcomeResult.Win)), buckets);

    /// <summary>The UTC hour the decision was made in.</summary>
    public static int HourOf(TradeOutcome outcome) => outcome.Features?.HourOfDay ?? outcome.DecidedAt.UtcDateTime.Hour;

    /// <summary>An exit reason as the API writes it (<c>take_profit</c>).</summary>
    public static string ExitReasonName(ExitReason reason) => reason switch
    {
        ExitReason.TakeProfit => "take_profit",
        ExitReason.StopLoss => "stop_loss",
        ExitReason.TrailingStop => "trailing_stop",
        ExitReason.KillSwitch => "kill_switch",
        ExitReason.EndOfData => "end_of_data",
        _ => reason.ToString().ToLowerInvariant(),
    };

    public static string StrategyName(TradingStrategy strategy) => strategy.ToString().ToLowerInvariant();

    private static List<PerformanceGroup> Group(IEnumerable<TradeOutcome> trades, Func<TradeOutcome, string> key) =>
        trades.GroupBy(key).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new PerformanceGroup(g.Key, Compute(g))).ToList();

    private static decimal Round(decimal value) => Math.Round(value, Decimals, MidpointRounding.AwayFromZero);
}
