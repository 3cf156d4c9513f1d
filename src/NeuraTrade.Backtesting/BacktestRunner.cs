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
/// The live driver of a backtest: the live <see cref="ScalpingEngine"/> and <see cref="TradeDesk"/> over the session's
/// ports (the paper exchange over the replayed data, in-memory stores, the session's clock), so any brain runs here. An
/// exit check inside a candle applies <see cref="ExitRules"/> to the replay's quote at that instant (stops move only at
/// scans) and closes through <see cref="TradeDesk.ExitAsync"/>; the scan is <see cref="ScalpingEngine.RunScanAsync"/>.
/// Within a candle the paper price path (four quarter steps: open, first extreme, second extreme, close; the order of the
/// extremes fixed by the clock, not by the candle) orders the barriers: the checks land on the start of every step, so the
/// barrier the path reaches first closes the position. The stop wins only where one quote is through both barriers at
/// once (<see cref="ExitRules"/>), the one case the path cannot order (see docs/backtesting.md).
/// </summary>
public sealed class BacktestRunner(BacktestSession session, BacktestSettings settings) : BacktestDriver(session, settings)
{
    protected override async ValueTask ScanAsync(DateTimeOffset at)
    {
        var scan = await Session.Engine.RunScanAsync(CancellationToken.None);
        foreach (var unread in scan.Skipped ? Enumerable.Empty<SymbolScan>() : scan.Symbols.Where(r => r.DecisionId is null))
        {
            var (count, first) = ReadFailures;
            ReadFailures = (count + 1, first ?? string.Create(CultureInfo.InvariantCulture, $"{unread.Symbol} at {at:yyyy-MM-dd HH:mm:ss}: {unread.Outcome}"));
        }
    }

    /// <summary>The engine's exit rule at an instant inside the candle, on the replay's quote at that instant.</summary>
    protected override async ValueTask CloseDueAsync(DateTimeOffset at)
    {
        foreach (var position in Session.Positions.Open)
        {
            Ticker ticker;
            try
            {
                ticker = await Session.Exchange.FetchTickerAsync(position.Symbol, CancellationToken.None);
            }
            catch (ExchangeException)
            {
                continue;
            }

            if (ExitRules.Evaluate(position, ticker, at, Session.Scalping.PositionHoldTime) is not { } reason)
            {
                continue;
            }

            await Session.Desk.ExitAsync(position, reason, CancellationToken.None, ticker);
        }
    }
}
