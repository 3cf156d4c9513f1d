using System.Globalization;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Backtesting;

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
/// replay shows the candle in force and the closed candles before it, nothing later: decisions are causal.
/// Within a candle, when a take-profit and the stop-loss are both reached, the stop-loss wins (see
/// docs/backtesting.md).
/// </summary>
public sealed class BacktestRunner(BacktestSession session, BacktestSettings settings)
{
    public async Task<BacktestRun> RunAsync(IProgress<BacktestProgress>? progress, CancellationToken stopping)
    {
        if (settings.ExitChecksPerCandle < 3 || settings.ExitChecksPerCandle % 3 != 0)
        {
            throw new InvalidOperationException("ExitChecksPerCandle must be a positive multiple of 3.");
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

    /// <summary>The engine's exit rule at an instant inside the candle, with the conservative tie-break.</summary>
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

            if (DueInCandle(position, ticker, now, session.Scalping.PositionHoldTime) is not { } reason)
            {
                continue;
            }

            await session.Desk.ExitAsync(position, reason, cancellationToken, ticker);
        }
    }

    /// <summary>
    /// The engine's exit rule at an instant inside the candle, with the conservative tie-break: a take-profit seen while
    /// the candle also reaches the stop waits (the stop is assumed first), but the hold time still applies then, so a
    /// position past its hold time exits as a timeout instead of being carried on.
    /// </summary>
    public static ExitReason? DueInCandle(Position position, Ticker ticker, DateTimeOffset now, TimeSpan holdTime)
    {
        if (ExitRules.Evaluate(position, ticker, now, holdTime) is not { } reason)
        {
            return null;
        }

        if (reason == ExitReason.TakeProfit && StopReachedInCandle(position, ticker))
        {
            return now - position.OpenedAt >= holdTime ? ExitReason.Timeout : null;
        }

        return reason;
    }

    /// <summary>
    /// Whether the candle in force also reaches the stop (its low for a long, its high for a short, with the
    /// modelled spread). Then a take-profit seen earlier on the path waits: the stop-loss is assumed first.
    /// </summary>
    public static bool StopReachedInCandle(Position position, Ticker ticker)
    {
        if (ticker.Last <= 0m)
        {
            return false;
        }

        return position.Side == PositionSide.Long
            ? ticker.Low * ticker.Bid / ticker.Last <= position.StopLoss
            : ticker.High * ticker.Ask / ticker.Last >= position.StopLoss;
    }
}
