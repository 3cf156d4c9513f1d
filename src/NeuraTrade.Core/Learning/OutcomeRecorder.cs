using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Learning;

/// <summary>
/// Meets decisions with their outcomes, the one code path of the live desk and the backtest: when nothing of a decision's
/// position stays open, its closed parts become one <see cref="TradeOutcome"/>; a proposed entry that did not trade
/// (refused, expired) is resolved when it is journaled. Plain holds are not stored: the journal already says what they
/// are (<see cref="TradeOutcome.NotTraded"/> resolves them on demand). A failure to record is logged, never thrown: the
/// trade it describes is already booked.
/// </summary>
public sealed class OutcomeRecorder(IOutcomeStore store, IDecisionStore decisions, ILogger<OutcomeRecorder>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<OutcomeRecorder>.Instance;

    public IOutcomeStore Store => store;

    /// <summary>Every closed part of <paramref name="done"/>'s decision: <paramref name="done"/> and <paramref name="dust"/>, plus the decision's earlier parts among <paramref name="recent"/> when it closed in several.</summary>
    public static IReadOnlyCollection<Position> PartsOf(Position done, Position? dust, IEnumerable<Position>? recent)
    {
        var parts = new Dictionary<string, Position>(StringComparer.Ordinal) { [done.Id] = done };
        if (dust is not null)
        {
            parts[dust.Id] = dust;
        }

        foreach (var p in recent ?? [])
        {
            if (p.DecisionId == done.DecisionId && p.ClosedAt is not null)
            {
                parts.TryAdd(p.Id, p);
            }
        }

        return parts.Values;
    }

    /// <summary>Records the outcome of the decision whose last part just closed.</summary>
    public async Task RecordClosedAsync(Position done, IReadOnlyCollection<Position> parts, CancellationToken cancellationToken)
    {
        try
        {
            if (await decisions.GetByIdAsync(done.DecisionId, cancellationToken) is not { } decision)
            {
                _logger.LogWarning("No decision {DecisionId} for the closed position {PositionId}: its outcome is not recorded", done.DecisionId, done.Id);
                return;
            }

            await store.SaveAsync(TradeOutcome.Closed(decision, parts), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogFailure(LogLevel.Warning, ex, "The outcome of decision {DecisionId} was not recorded: {Reason}", done.DecisionId);
        }
    }

    /// <summary>Records a proposed entry that did not trade (refused or expired); anything else is left alone.</summary>
    public async Task RecordNotTradedAsync(TradingDecision decision, CancellationToken cancellationToken)
    {
        if (TradeOutcome.NotTraded(decision) is not { Result: OutcomeResult.Refused or OutcomeResult.Expired } outcome)
        {
            return;
        }

        try
        {
            await store.SaveAsync(outcome, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogFailure(LogLevel.Warning, ex, "The outcome of decision {DecisionId} was not recorded: {Reason}", decision.Id);
        }
    }
}
