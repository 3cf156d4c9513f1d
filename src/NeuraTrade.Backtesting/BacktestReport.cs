using System.Globalization;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>One closed trade as the report lists it (schema in docs/backtesting.md).</summary>
public sealed record BacktestTrade(
    string DecisionId,
    string Symbol,
    string Side,
    DateTimeOffset EntryTime,
    decimal EntryPrice,
    DateTimeOffset ExitTime,
    decimal ExitPrice,
    decimal Amount,
    decimal Fees,
    decimal Pnl,
    decimal PnlPercent,
    string ExitReason,
    decimal Confidence,
    double HoldMinutes);

/// <summary>Entries grouped by the confidence the brain gave: does more confidence mean more wins?</summary>
public sealed record CalibrationBucket(decimal From, decimal To, int Trades, int Wins, decimal WinRate, decimal AveragePnl);

/// <summary>The LLM's bill for the run.</summary>
public sealed record LlmCost(int Calls, long InputTokens, long OutputTokens, decimal CostUsd, int UnpricedCalls);

/// <summary>The metrics of a run (schema in docs/backtesting.md). Percentages are percent (1.5 = 1.5%).</summary>
public sealed record BacktestMetrics(
    string Brain,
    string Profile,
    IReadOnlyList<string> Symbols,
    DateTimeOffset? From,
    DateTimeOffset? To,
    int Candles,
    bool Partial,
    decimal StartingBalance,
    decimal FinalEquity,
    decimal NetReturnPercent,
    decimal BuyAndHoldReturnPercent,
    decimal? RulesBaselineReturnPercent,
    double Sharpe,
    double Sortino,
    decimal MaxDrawdownPercent,
    int Trades,
    decimal WinRatePercent,
    decimal? ProfitFactor,
    decimal Expectancy,
    decimal TotalFees,
    double AverageHoldMinutes,
    decimal ExposurePercent,
    int Decisions,
    IReadOnlyDictionary<string, int> ExitReasons,
    LlmCost Llm,
    IReadOnlyList<CalibrationBucket> Calibration)
{
    /// <summary>The data's candle timeframe (the step of the run), e.g. <c>1m</c>.</summary>
    public string Timeframe { get; init; } = string.Empty;

    /// <summary>The timeframe of the candles the brain read (<c>AI:Timeframe</c>): the data's, or a whole multiple made from it.</summary>
    public string BrainTimeframe { get; init; } = string.Empty;

    /// <summary>
    /// How many decision points the economy screen (<c>Scalping:Screen</c>) answered HOLD without asking the model, because
    /// no target could clear the round trip's cost; 0 for the rules brain (the screen stands only in front of a paid model).
    /// </summary>
    public int Screened { get; init; }

    /// <summary>Why the run journaled no decision at all (no candle in the span, no market readable); null when it made some.</summary>
    public string? WhyNoDecisions { get; init; }

    /// <summary>
    /// The learning system's reliability table of the run's trades (one per decision, partial exits together; a breakeven
    /// is not a win): ten buckets of stated confidence with the 95% Wilson interval, the Brier score and the expected
    /// calibration error (docs/learning.md).
    /// </summary>
    public Core.Learning.CalibrationTable Reliability { get; init; } = Core.Learning.CalibrationTable.Empty;

    /// <summary><see cref="Reliability"/> per model (the brain's <c>model_used</c>).</summary>
    public IReadOnlyList<Core.Learning.CalibrationGroup> ReliabilityByModel { get; init; } = [];

    /// <summary><see cref="Reliability"/> per strategy.</summary>
    public IReadOnlyList<Core.Learning.CalibrationGroup> ReliabilityByStrategy { get; init; } = [];
}

/// <summary>
/// The whole report: metrics, trades, the equity curve (for the HTML page), the positions still open at the end, the dust
/// parts, and the books reconciled with the paper account.
/// </summary>
public sealed record BacktestReport(
    BacktestMetrics Metrics,
    IReadOnlyList<BacktestTrade> Trades,
    IReadOnlyList<EquityPoint> Equity,
    IReadOnlyList<BacktestMarket> Markets,
    IReadOnlyList<BacktestOpenPosition> OpenPositions,
    IReadOnlyList<BacktestDust> Dust,
    BacktestReconciliation Reconciliation)
{
    /// <summary>Computes the report of <paramref name="run"/>; <paramref name="rulesBaseline"/> is the rules brain's net return over the same span, when run.</summary>
    public static BacktestReport Create(BacktestRun run, string profile, decimal? rulesBaseline)
    {
        var s = run.Session;
        var settings = run.Settings;
        var trades = s.Positions.Closed.Select(p => ToTrade(p, s.Decisions)).ToList();
        var equity = run.Equity;
        var final = equity.Count > 0 ? equity[^1].Equity : settings.StartingBalance;
        var exitCost = (settings.TakerFeePercent + settings.SlippagePercent) / 100m;
        var bh = equity.Count > 0 ? settings.StartingBalance + ((equity[^1].BuyAndHold - settings.StartingBalance) - (equity[^1].BuyAndHold * exitCost)) : settings.StartingBalance;
        var (sharpe, sortino) = Ratios(settings.StartingBalance, equity, settings.Interval);
        var wins = trades.Where(t => t.Pnl > 0m).ToList();
        var grossWin = wins.Sum(t => t.Pnl);
        var grossLoss = -trades.Where(t => t.Pnl <= 0m).Sum(t => t.Pnl);
        var learned = Core.Learning.PerformanceStatistics.Report(s.Outcomes.All);
        var metrics = new BacktestMetrics(
            s.BrainModel,
            profile,
            [.. settings.Markets.Select(m => m.Symbol)],
            equity.Count > 0 ? equity[0].At - settings.Interval : settings.From,
            equity.Count > 0 ? equity[^1].At : settings.To,
            run.Steps,
            run.Stopped,
            settings.StartingBalance,
            Math.Round(final, 8),
            Percent(final - settings.StartingBalance, settings.StartingBalance),
            Percent(bh - settings.StartingBalance, settings.StartingBalance),
            rulesBaseline,
            sharpe,
            sortino,
            MaxDrawdownPercent(settings.StartingBalance, equity),
            trades.Count,
            Percent(wins.Count, trades.Count),
            grossLoss > 0m ? Math.Round(grossWin / grossLoss, 4) : null,
            trades.Count > 0 ? Math.Round(trades.Average(t => t.Pnl), 8) : 0m,
            trades.Sum(t => t.Fees),
            trades.Count > 0 ? Math.Round(trades.Average(t => t.HoldMinutes), 4) : 0d,
            Percent(equity.Count(e => e.Exposed), equity.Count),
            s.Decisions.Count,
            trades.GroupBy(t => t.ExitReason).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            new LlmCost(s.Ledger.Calls, s.Ledger.InputTokens, s.Ledger.OutputTokens, s.Ledger.CostUsd, s.Ledger.UnpricedCalls),
            Calibration(trades))
        {
            Timeframe = Timeframe(settings),
            BrainTimeframe = s.BrainTimeframe ?? Timeframe(settings),
            WhyNoDecisions = s.Decisions.Count == 0 ? WhyNoDecisions(run) : null,
            Screened = s.Decisions.Screened,
            Reliability = learned.Calibration,
            ReliabilityByModel = learned.CalibrationByModel,
            ReliabilityByStrategy = learned.CalibrationByStrategy,
        };
        var (open, dust, reconciliation) = BacktestBooks.Create(run);
        return new BacktestReport(metrics, trades, equity, settings.Markets, open, dust, reconciliation);
    }

    private static string Timeframe(BacktestSettings settings) => string.Join(", ", settings.Markets.Select(m => m.Timeframe).Distinct(StringComparer.Ordinal));

    /// <summary>Why a run made no decision: what a reader of a report with 0 decisions needs to know, in one sentence.</summary>
    private static string WhyNoDecisions(BacktestRun run)
    {
        var settings = run.Settings;
        if (run.Steps == 0 && run.Stopped)
        {
            return "the run was stopped before its first candle";
        }

        if (run.Steps == 0)
        {
            var candles = settings.Markets.SelectMany(m => m.Candles).ToList();
            return candles.Count == 0
                ? "the data holds no candle"
                : F($"no candle of the data lies in the span asked ({settings.From?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "start"} .. {settings.To?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "end"}); the data runs {candles.Min(c => c.OpenTime):yyyy-MM-dd HH:mm} .. {candles.Max(c => c.OpenTime):yyyy-MM-dd HH:mm}");
        }

        return run.ReadFailures is { Count: > 0, First: { } first }
            ? F($"no scan could read its markets, so the brain was never asked ({run.ReadFailures.Count} reads failed over {run.Steps} candles; the first: {first})")
            : F($"no scan asked the brain over {run.Steps} candles");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static BacktestTrade ToTrade(Position p, InMemoryDecisionStore decisions)
    {
        var found = decisions.TryGetExecuted(p.DecisionId, out var runId, out var decision);
        return new BacktestTrade(
            found ? runId : p.DecisionId,
            p.Symbol,
            p.Side == PositionSide.Long ? "long" : "short",
            p.OpenedAt,
            p.EntryPrice,
            p.ClosedAt!.Value,
            p.ExitPrice!.Value,
            p.Amount,
            p.EntryFee + (p.ExitFee ?? 0m),
            p.RealizedPnl!.Value,
            Math.Round(p.RealizedPnlPercent ?? 0m, 6),
            Snake(p.ExitReason!.Value),
            found ? decision.Confidence : 0m,
            (p.ClosedAt!.Value - p.OpenedAt).TotalMinutes);
    }

    private static string Snake(ExitReason reason) => reason switch
    {
        ExitReason.TakeProfit => "take_profit",
        ExitReason.StopLoss => "stop_loss",
        ExitReason.Timeout => "timeout",
        ExitReason.TrailingStop => "trailing_stop",
        ExitReason.Manual => "manual",
        ExitReason.Dust => "dust",
        ExitReason.EndOfData => "end_of_data",
        _ => "kill_switch",
    };

    private static decimal Percent(decimal part, decimal whole) => whole == 0m ? 0m : Math.Round(part / whole * 100m, 6);

    /// <summary>
    /// Sharpe and Sortino of per-candle returns, annualized by √(candles per year), risk-free rate 0. The first return is
    /// the first step's, from <paramref name="startingBalance"/> to the first point; 0 for both with fewer than two returns.
    /// </summary>
    public static (double Sharpe, double Sortino) Ratios(decimal startingBalance, IReadOnlyList<EquityPoint> equity, TimeSpan interval)
    {
        if (equity.Count < 2)
        {
            return (0d, 0d);
        }

        var returns = new double[equity.Count];
        var before = (double)startingBalance;
        for (var i = 0; i < equity.Count; i++)
        {
            var after = (double)equity[i].Equity;
            returns[i] = before == 0d ? 0d : (after / before) - 1d;
            before = after;
        }

        var mean = returns.Average();
        var sd = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Length - 1));
        var downside = Math.Sqrt(returns.Sum(r => Math.Min(r, 0d) * Math.Min(r, 0d)) / returns.Length);
        var annual = Math.Sqrt(TimeSpan.FromDays(365).TotalSeconds / interval.TotalSeconds);
        return (sd == 0d ? 0d : Math.Round(mean / sd * annual, 6), downside == 0d ? 0d : Math.Round(mean / downside * annual, 6));
    }

    /// <summary>The deepest fall of marked equity from its highest point so far, the starting balance being the first, in percent.</summary>
    public static decimal MaxDrawdownPercent(decimal startingBalance, IReadOnlyList<EquityPoint> equity)
    {
        decimal peak = startingBalance, worst = 0m;
        foreach (var e in equity)
        {
            peak = Math.Max(peak, e.Equity);
            if (peak > 0m)
            {
                worst = Math.Max(worst, (peak - e.Equity) / peak);
            }
        }

        return Math.Round(worst * 100m, 6);
    }

    private static List<CalibrationBucket> Calibration(IReadOnlyList<BacktestTrade> trades)
    {
        var buckets = new List<CalibrationBucket>();
        for (var from = 0.5m; from < 1m; from += 0.1m)
        {
            var to = from + 0.1m;
            var inBucket = trades.Where(t => t.Confidence >= from && (t.Confidence < to || (to >= 1m && t.Confidence <= 1m))).ToList();
            var wins = inBucket.Count(t => t.Pnl > 0m);
            buckets.Add(new CalibrationBucket(from, to, inBucket.Count, wins, Percent(wins, inBucket.Count), inBucket.Count > 0 ? Math.Round(inBucket.Average(t => t.Pnl), 8) : 0m));
        }

        return buckets;
    }
}
