using NeuraTrade.Core.Learning;

namespace NeuraTrade.Backtesting;

/// <summary>
/// One brain's line of the arena's leaderboard: what it made after every cost over the shared candles, how it got there,
/// how well its stated confidence matched its results, and what its model cost. Percentages are percent (1.5 = 1.5%);
/// the Brier score and the calibration error are over the closed trades (a win is a trade with PnL above 0), null
/// without trades. <see cref="CostPerTradeUsd"/> is null without trades.
/// </summary>
public sealed record ArenaRow(
    int Rank,
    string Name,
    string Model,
    bool Screen,
    decimal NetReturnPercent,
    decimal BuyAndHoldReturnPercent,
    double Sharpe,
    decimal MaxDrawdownPercent,
    int Trades,
    decimal WinRatePercent,
    decimal? BrierScore,
    decimal? CalibrationError,
    int LlmCalls,
    long InputTokens,
    long OutputTokens,
    decimal CostUsd,
    decimal? CostPerTradeUsd,
    int Decisions,
    int Screened)
{
    /// <summary>
    /// For a model run with and without the economy screen: how many trades of the unscreened run (market and entry time)
    /// the screened run did not make, the screen's cost in missed trades; null otherwise.
    /// </summary>
    public int? MissedByScreen { get; init; }

    /// <summary>For the same pair: the net return the screen gave up (negative) or saved (positive), percentage points; null otherwise.</summary>
    public decimal? ScreenReturnDelta { get; init; }

    /// <summary>For the same pair: the model calls the screen saved; null otherwise.</summary>
    public int? CallsSaved { get; init; }
}

/// <summary>
/// One arena entrant's run: its name on the board, the entrant it runs (its <c>--brains</c> item; the same entrant with
/// and without the economy screen is a pair), whether the screen stood in front of it, and its backtest report.
/// </summary>
public sealed record ArenaRun(string Name, string Entrant, bool Screen, BacktestReport Report)
{
    /// <summary>The entrant's reliability table over its closed trades (a win is a trade with PnL above 0).</summary>
    public CalibrationTable Calibration { get; } = Core.Learning.Calibration.Compute(Report.Trades.Select(t => (t.Confidence, t.Pnl > 0m)));
}

/// <summary>
/// The arena's leaderboard: every brain traded the same candles through the same engine, risk gate and fills, so the
/// runs differ only by the brain. Ranked by net return after costs, then Sharpe, then name (ordinal), so the order is
/// the same on every machine. A model that ran twice, with and without the economy screen
/// (same entrant, one run of each) gets on both lines what the screen cost: the trades the screened run missed, the return it gave up, the calls saved.
/// </summary>
public static class ArenaBoard
{
    public const string Schema = "neuratrade.arena.v1";

    public static IReadOnlyList<ArenaRow> Rank(IReadOnlyList<ArenaRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var rows = runs.Select(Row).ToList();
        foreach (var pair in runs.Select((run, i) => (run.Entrant, Index: i)).GroupBy(r => r.Entrant, StringComparer.Ordinal).Where(g => g.Count() == 2 && g.Count(r => runs[r.Index].Screen) == 1))
        {
            var withIndex = pair.Single(r => runs[r.Index].Screen).Index;
            var withoutIndex = pair.Single(r => !runs[r.Index].Screen).Index;
            var (with, without) = (rows[withIndex], rows[withoutIndex]);
            // A trade is its market and entry time: the unscreened run's trades the screened run did not make.
            var taken = runs[withIndex].Report.Trades.Select(t => (t.Symbol, t.EntryTime)).ToHashSet();
            var missed = runs[withoutIndex].Report.Trades.Count(t => !taken.Contains((t.Symbol, t.EntryTime)));
            var delta = with.NetReturnPercent - without.NetReturnPercent;
            var saved = without.LlmCalls - with.LlmCalls;
            rows[withIndex] = with with { MissedByScreen = missed, ScreenReturnDelta = delta, CallsSaved = saved };
            rows[withoutIndex] = without with { MissedByScreen = missed, ScreenReturnDelta = delta, CallsSaved = saved };
        }

        return rows
            .OrderByDescending(r => r.NetReturnPercent)
            .ThenByDescending(r => r.Sharpe)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .Select((r, i) => r with { Rank = i + 1 })
            .ToList();
    }

    private static ArenaRow Row(ArenaRun run)
    {
        var m = run.Report.Metrics;
        var calibration = run.Calibration;
        return new ArenaRow(
            0,
            run.Name,
            m.Brain,
            run.Screen,
            m.NetReturnPercent,
            m.BuyAndHoldReturnPercent,
            m.Sharpe,
            m.MaxDrawdownPercent,
            m.Trades,
            m.WinRatePercent,
            calibration.BrierScore,
            calibration.ExpectedCalibrationError,
            m.Llm.Calls,
            m.Llm.InputTokens,
            m.Llm.OutputTokens,
            m.Llm.CostUsd,
            m.Trades > 0 ? Math.Round(m.Llm.CostUsd / m.Trades, 6) : null,
            m.Decisions,
            m.Screened);
    }
}
