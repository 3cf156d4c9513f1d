namespace NeuraTrade.Core.Brain;

/// <summary>The decision journal port.</summary>
public interface IDecisionStore
{
    Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken);

    /// <summary>Links a trade's result back to the decision that opened it.</summary>
    Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken);
}

/// <summary>What finds one journaled decision.</summary>
public sealed record DecisionKey(string Symbol, string Id, DateTimeOffset CreatedAt);
