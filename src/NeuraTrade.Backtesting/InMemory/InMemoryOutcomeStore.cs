using NeuraTrade.Core.Learning;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The outcomes of a backtest, in memory, in resolution order (the market clock only moves forward). A decision's
/// outcome saved again replaces it. <see cref="KnownAt"/> is what a decision at a given market time may see.
/// </summary>
public sealed class InMemoryOutcomeStore : IOutcomeStore
{
    private readonly List<TradeOutcome> _outcomes = [];
    private readonly Dictionary<string, int> _byDecision = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Every outcome, oldest resolution first.</summary>
    public IReadOnlyList<TradeOutcome> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _outcomes];
            }
        }
    }

    public Task SaveAsync(TradeOutcome outcome, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_byDecision.TryGetValue(outcome.DecisionId, out var at))
            {
                _outcomes[at] = outcome;
            }
            else
            {
                _byDecision[outcome.DecisionId] = _outcomes.Count;
                _outcomes.Add(outcome);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<TradeOutcome>> QueryAsync(OutcomeQuery query, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<TradeOutcome> found = _outcomes.Where(query.Matches)
                .OrderByDescending(o => o.ResolvedAt)
                .Take(Math.Clamp(query.Limit, 1, OutcomeQuery.MaxLimit))
                .ToList();
            return Task.FromResult(found);
        }
    }
}
