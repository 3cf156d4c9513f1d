namespace NeuraTrade.Backtesting;

/// <summary>
/// The timeline every backtest walks, whichever driver trades it. For every candle (the union of all markets' open
/// times), strictly in time order: the clock visits <see cref="BacktestSettings.ExitChecksPerCandle"/> − 1 points inside
/// the candle and at each the driver closes positions whose exit is due; then, 1 ms before the candle closes, the driver
/// runs one scan (exits, brain, risk gate, entries, journal). At that instant the replay shows the closed candles and the
/// part of the candle in force its price path has walked, nothing later: decisions are causal. After the scan the
/// account is marked for the equity curve. A step, once started, is finished (a half-run scan would leave orders without
/// positions); cancellation stops the run between steps with the partial result.
/// </summary>
/// <remarks>
/// Two drivers trade it with the same rules (<see cref="Core.Scalping.TradeSteps"/>): <see cref="BacktestRunner"/>
/// drives the live engine over the session's async ports (any brain), <see cref="FastRulesRunner"/> runs the steps
/// synchronously over the in-memory books for the rules brain, skipping work whose answer is certainly a hold.
/// </remarks>
public abstract class BacktestDriver(BacktestSession session, BacktestSettings settings)
{
    protected BacktestSession Session => session;

    protected BacktestSettings Settings => settings;

    /// <summary>How many times a scan could not read a market, and the first such problem (the full engine reports them).</summary>
    protected (int Count, string? First) ReadFailures { get; set; }

    public async Task<BacktestRun> RunAsync(IProgress<BacktestProgress>? progress, CancellationToken stopping)
    {
        if (settings.ExitChecksProblem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var timeline = settings.Timeline();
        var equity = new List<EquityPoint>(timeline.Count);
        var marks = new BacktestMarks(settings);
        var positions = session.Positions;
        var stopped = false;
        var step = 0;
        for (; step < timeline.Count; step++)
        {
            if (stopping.IsCancellationRequested)
            {
                stopped = true;
                break;
            }

            var open = timeline[step];
            for (var k = 1; k < settings.ExitChecksPerCandle && positions.OpenCount > 0; k++)
            {
                var at = open + (settings.Interval * k / settings.ExitChecksPerCandle);
                session.Clock.Set(at);
                await CloseDueAsync(at);
            }

            var scanAt = open + settings.Interval - BacktestSettings.DecisionLead;
            session.Clock.Set(scanAt);
            await ScanAsync(scanAt);

            marks.Advance(open);
            equity.Add(new EquityPoint(open + settings.Interval, marks.Equity(session.Account), marks.BuyAndHold(), positions.OpenCount > 0));
            if (progress is not null && (step & 0xFF) == 0)
            {
                progress.Report(new BacktestProgress(step, timeline.Count, positions.Closed.Count));
            }
        }

        progress?.Report(new BacktestProgress(step, timeline.Count, positions.Closed.Count));
        await FinishAsync();
        return new BacktestRun(settings, session, equity, step, stopped) { ReadFailures = ReadFailures };
    }

    /// <summary>The exit check at <paramref name="at"/>, inside a candle: positions whose exit is due on the quote at that instant close.</summary>
    protected abstract ValueTask CloseDueAsync(DateTimeOffset at);

    /// <summary>One scan at <paramref name="at"/>, 1 ms before the candle closes.</summary>
    protected abstract ValueTask ScanAsync(DateTimeOffset at);

    /// <summary>After the last step: whatever the driver keeps outside the session's stores is written back to them.</summary>
    protected virtual ValueTask FinishAsync() => ValueTask.CompletedTask;
}
