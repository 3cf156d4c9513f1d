using NeuraTrade.Core.Brain;

namespace NeuraTrade.Core.Learning;

/// <summary>
/// Where outcomes are kept: Table Storage in the app (table <c>outcomes</c>, one copy per symbol, strategy and model
/// partition), in memory in backtests. Saving the same decision's outcome again replaces it.
/// </summary>
public interface IOutcomeStore
{
    Task SaveAsync(TradeOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Outcomes matching <paramref name="query"/>, newest resolution first, at most <see cref="OutcomeQuery.Limit"/>.</summary>
    Task<IReadOnlyList<TradeOutcome>> QueryAsync(OutcomeQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// An outcome query; every filter optional, <see cref="From"/> and <see cref="To"/> inclusive on the resolution time.
/// <see cref="TradesOnly"/> leaves out decisions that never traded.
/// </summary>
public sealed record OutcomeQuery(
    string? Symbol = null,
    TradingStrategy? Strategy = null,
    string? Model = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = OutcomeQuery.DefaultLimit,
    bool TradesOnly = false)
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10_000;

    public bool Matches(TradeOutcome o) =>
        (Symbol is null || o.Symbol == Symbol)
        && (Strategy is null || o.Strategy == Strategy)
        && (Model is null || o.Model == Model)
        && (From is null || o.ResolvedAt >= From)
        && (To is null || o.ResolvedAt <= To)
        && (!TradesOnly || o.IsTrade);
}
