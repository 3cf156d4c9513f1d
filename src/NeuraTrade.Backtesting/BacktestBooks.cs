using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>A position part still open when the run ended, marked at its market's last close (what the final equity used).</summary>
public sealed record BacktestOpenPosition(
    string Id,
    string Symbol,
    string Side,
    DateTimeOffset OpenedAt,
    decimal Amount,
    decimal EntryPrice,
    decimal MarkPrice,
    decimal UnrealizedPnl);

/// <summary>A dust part: closed in the books at <see cref="ExitPrice"/> without an order; its coins are still in the account, worth <see cref="Value"/> at the mark.</summary>
public sealed record BacktestDust(
    string Id,
    string Symbol,
    DateTimeOffset ClosedAt,
    decimal Amount,
    decimal ExitPrice,
    decimal MarkPrice,
    decimal Value);

/// <summary>The run's books (every position part) against the paper account at the end: see <see cref="BookReconciliation"/>.</summary>
public sealed record BacktestReconciliation(bool Agrees, int Fills, IReadOnlyList<CurrencyBooks> Currencies, EquityBooks? Equity);

/// <summary>
/// What the session's books hold at the end of a run: open positions, dust, and their reconciliation with the paper account.
/// Read from the session only (the positions store, the decision journal's run ids, the exchange's balances) and marked
/// with <see cref="BacktestMarks.At"/>, so the full engine and the fast path report the same.
/// </summary>
public static class BacktestBooks
{
    public static (IReadOnlyList<BacktestOpenPosition> Open, IReadOnlyList<BacktestDust> Dust, BacktestReconciliation Reconciliation) Create(BacktestRun run)
    {
        var s = run.Session;
        var settings = run.Settings;
        var marks = BacktestMarks.At(settings, run.Equity.Count > 0 ? run.Equity[^1].At - settings.Interval : null);
        var open = s.Positions.Open
            .Select(p => new BacktestOpenPosition(
                RunId(p, s.Decisions),
                p.Symbol,
                p.Side == PositionSide.Long ? "long" : "short",
                p.OpenedAt,
                p.Amount,
                p.EntryPrice,
                marks.Of(p.Base),
                p.UnrealizedPnl(marks.Of(p.Base))))
            .OrderBy(p => p.OpenedAt)
            .ThenBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
        var dust = s.Positions.Closed
            .Where(p => p.ExitReason == ExitReason.Dust)
            .Select(p => new BacktestDust(RunId(p, s.Decisions), p.Symbol, p.ClosedAt!.Value, p.Amount, p.ExitPrice!.Value, marks.Of(p.Base), p.Amount * marks.Of(p.Base)))
            .ToList();

        // The paper exchange is in memory: its balance completes at once. Its totals (free + used) are the account's.
        var account = s.Exchange.FetchBalanceAsync(CancellationToken.None).GetAwaiter().GetResult();
        var start = new Dictionary<string, decimal>(StringComparer.Ordinal) { [settings.QuoteCurrency] = settings.StartingBalance };
        var books = BookReconciliation.Check(start, s.Positions.Closed.Concat(s.Positions.Open), account, marks);
        return (open, dust, new BacktestReconciliation(books.Agrees, books.Fills, books.Currencies, books.Equity));
    }

    /// <summary>The run id of the decision behind a part (as the trades list shows it), with the part's remainder suffix (<c>-r1</c>…).</summary>
    public static string RunId(Position p, InMemoryDecisionStore decisions)
    {
        if (!decisions.TryGetExecuted(p.DecisionId, out var runId, out _))
        {
            return p.Id;
        }

        var whole = $"pos-{p.DecisionId}";
        return p.Id.StartsWith(whole, StringComparison.Ordinal) ? runId + p.Id[whole.Length..] : runId;
    }
}
