using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>One decision as the backtest log keeps it: small, so a million-candle run fits in memory.</summary>
public readonly record struct DecisionLogEntry(long Sequence, DateTimeOffset At, string Symbol, TradeAction Action, decimal Confidence, bool Executed);

/// <summary>
/// The decision journal of a backtest. Every decision gets a run sequence number (<c>D000001</c>…), which the
/// report uses instead of the engine's id: that id is a GUIDv7 with random bits, and two runs of the same
/// backtest must give identical reports. Executed decisions are kept whole (the report links trades to them);
/// of the others only the compact log entry and the latest few per symbol (what learning reads) are kept.
/// </summary>
public sealed class InMemoryDecisionStore : IDecisionStore
{
    private const int KeptPerSymbol = 32;
    private readonly Dictionary<string, (long Sequence, TradingDecision Decision)> _executed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TradingDecision>> _latest = new(StringComparer.Ordinal);
    private readonly List<DecisionLogEntry> _log = [];
    private int _count;

    /// <summary>Every decision journaled, in order; a fast run (<see cref="CountHolds"/>) logs its entries only.</summary>
    public IReadOnlyList<DecisionLogEntry> Log => _log;

    /// <summary>How many decisions were journaled (holds counted by <see cref="CountHolds"/> included).</summary>
    public int Count => _count;

    /// <summary>
    /// Journals <paramref name="holds"/> HOLD decisions by number only: they take their sequence numbers, so the run ids of
    /// later entries match a run that saved every hold, but nothing else of them is kept (the fast backtest path).
    /// </summary>
    public void CountHolds(int holds) => _count += holds;

    /// <summary>How many decisions the economy screen made without asking the model (<see cref="DecisionMaker.IsScreened"/>).</summary>
    public int Screened { get; private set; }

    public Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken)
    {
        var sequence = ++_count;
        var executed = decision.ExecutedAt is not null;
        Screened += DecisionMaker.IsScreened(decision) ? 1 : 0;
        _log.Add(new DecisionLogEntry(sequence, decision.CreatedAt, decision.Symbol, decision.Action, decision.Confidence, executed));
        if (executed)
        {
            _executed[decision.Id] = (sequence, decision);
        }

        if (!_latest.TryGetValue(decision.Symbol, out var latest))
        {
            _latest[decision.Symbol] = latest = [];
        }

        latest.Add(decision);
        if (latest.Count > KeptPerSymbol * 2)
        {
            latest.RemoveRange(0, latest.Count - KeptPerSymbol);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TradingDecision>>(_latest.TryGetValue(symbol, out var latest)
            ? latest.AsEnumerable().Reverse().Take(limit).ToArray()
            : []);

    public Task<TradingDecision?> GetByIdAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult(_executed.TryGetValue(id, out var entry)
            ? entry.Decision
            : _latest.Values.SelectMany(l => l).LastOrDefault(d => d.Id == id));

    /// <summary>Queries what a backtest keeps (executed decisions and the latest per symbol), newest first, in one page.</summary>
    public Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        var kept = _executed.Values.Select(e => e.Decision)
            .Concat(_latest.Values.SelectMany(l => l))
            .DistinctBy(d => d.Id)
            .Where(d => (query.Symbol is null || d.Symbol == query.Symbol)
                && (query.Strategy is null || d.Strategy == query.Strategy)
                && (query.From is null || d.CreatedAt >= query.From)
                && (query.To is null || d.CreatedAt <= query.To))
            .OrderByDescending(d => d.CreatedAt)
            .Take(Math.Clamp(query.Limit, 1, DecisionQuery.MaxLimit))
            .ToList();
        return Task.FromResult(new DecisionPage(kept, null));
    }

    public Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken)
    {
        if (_executed.TryGetValue(decision.Id, out var entry))
        {
            _executed[decision.Id] = (entry.Sequence, entry.Decision with { Outcome = outcome, Pnl = pnl });
        }

        if (_latest.TryGetValue(decision.Symbol, out var latest))
        {
            var i = latest.FindLastIndex(d => d.Id == decision.Id);
            if (i >= 0)
            {
                latest[i] = latest[i] with { Outcome = outcome, Pnl = pnl };
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>The executed decision behind a trade, with its run sequence id.</summary>
    public bool TryGetExecuted(string decisionId, out string runId, out TradingDecision decision)
    {
        if (_executed.TryGetValue(decisionId, out var entry))
        {
            runId = RunId(entry.Sequence);
            decision = entry.Decision;
            return true;
        }

        runId = string.Empty;
        decision = null!;
        return false;
    }

    public static string RunId(long sequence) => FormattableString.Invariant($"D{sequence:000000}");
}
