using System.Globalization;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>Progress of a run, for a progress bar.</summary>
public readonly record struct BacktestProgress(int Step, int Steps, int Trades);

/// <summary>One point of the equity curve: the account marked at the step's close, and buy-and-hold.</summary>
public readonly record struct EquityPoint(DateTimeOffset At, decimal Equity, decimal BuyAndHold, bool Exposed);

/// <summary>What a run produced, before metrics.</summary>
public sealed record BacktestRun(
    BacktestSettings Settings,
    BacktestSession Session,
    IReadOnlyList<EquityPoint> Equity,
    int Steps,
    bool Stopped)
{
    /// <summary>How many times a scan could not read a market (no decision was made for it), and the first such problem.</summary>
    public (int Count, string? First) ReadFailures { get; init; }
}

/// <summary>
/// Drives the live engine over history. For every candle (the union of all markets' open times), strictly in
/// time order: the clock visits <see cref="BacktestSettings.ExitChecksPerCandle"/> − 1 points inside the candle
/// and at each closes positions whose exit is due (the engine's own <see cref="ExitRules"/> and
/// <see cref="TradeDesk.ExitAsync"/>); then, 1 ms before the candle closes, it runs one
/// <see cref="ScalpingEngine.RunScanAsync"/> (exits, brain, risk gate, entries, journal). At that instant the
/// replay shows the closed candles and the part of the candle in force its price path has walked, nothing later:
/// decisions are causal. Within a candle the paper price path (four quarter steps: open, first extreme, second extreme,
/// close; the order of the extremes fixed by the clock, not by the candle) orders the barriers: the checks land on the
/// start of every step, so the barrier the path reaches first closes the position. The stop wins only where one quote
/// is through both barriers at once (<see cref="ExitRules"/>), the one case the path cannot order (see
/// docs/backtesting.md).
/// </summary>
public sealed class BacktestRunner(BacktestSession session, BacktestSettings settings)
{
    public async Task<BacktestRun> RunAsync(IProgress<BacktestProgress>? progress, CancellationToken stopping)
    {
        if (settings.ExitChecksProblem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var timeline = settings.Timeline();
        var equity = new List<EquityPoint>(timeline.Count);
        var marks = new BacktestMarks(settings);

        // A step, once started, is finished (a half-run scan would leave orders without positions); Ctrl-C stops between steps.
        var work = CancellationToken.None;
        var stopped = false;
        var step = 0;
        var failures = (Count: 0, First: (string?)null);
        for (; step < timeline.Count; step++)
        {
            if (stopping.IsCancellationRequested)
            {
                stopped = true;
                break;
            }

            var open = timeline[step];
            for (var k = 1; k < settings.ExitChecksPerCandle && session.Positions.OpenCount > 0; k++)
            {
                session.Clock.Set(open + (settings.Interval * k / settings.ExitChecksPerCandle));
                await CloseDueAsync(work);
            }

            session.Clock.Set(open + settings.Interval - BacktestSettings.DecisionLead);
            var scan = await session.Engine.RunScanAsync(work);
            foreach (var unread in scan.Skipped ? Enumerable.Empty<SymbolScan>() : scan.Symbols.Where(r => r.DecisionId is null))
            {
                failures = (failures.Count + 1, failures.First ?? string.Create(CultureInfo.InvariantCulture, $"{unread.Symbol} at {session.Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss}: {unread.Outcome}"));
            }

            marks.Advance(open);
            equity.Add(new EquityPoint(open + settings.Interval, marks.Equity(session.Account), marks.BuyAndHold(), session.Positions.OpenCount > 0));
            if (progress is not null && (step & 0xFF) == 0)
            {
                progress.Report(new BacktestProgress(step, timeline.Count, session.Positions.Closed.Count));
            }
        }

        progress?.Report(new BacktestProgress(step, timeline.Count, session.Positions.Closed.Count));
        return new BacktestRun(settings, session, equity, step, stopped) { ReadFailures = failures };
    }

    /// <summary>The engine's exit rule at an instant inside the candle, on the replay's quote at that instant.</summary>
    private async Task CloseDueAsync(CancellationToken cancellationToken)
    {
        var now = session.Clock.GetUtcNow();
        foreach (var position in session.Positions.Open)
        {
            Ticker ticker;
            try
            {
                ticker = await session.Exchange.FetchTickerAsync(position.Symbol, cancellationToken);
            }
            catch (ExchangeException)
            {
                continue;
            }

            if (ExitRules.Evaluate(position, ticker, now, session.Scalping.PositionHoldTime) is not { } reason)
            {
                continue;
            }

            await session.Desk.ExitAsync(position, reason, cancellationToken, ticker);
        }
    }
}
