using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>The decision journal port.</summary>
public interface IDecisionStore
{
    Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken);

    /// <summary>
    /// Saves many decisions with as few storage round trips as the store allows (transactions per partition).
    /// The default saves them one by one.
    /// </summary>
    async Task SaveManyAsync(IReadOnlyList<TradingDecision> decisions, CancellationToken cancellationToken)
    {
        foreach (var decision in decisions)
        {
            await SaveAsync(decision, cancellationToken);
        }
    }

    /// <summary>
    /// Saves decisions behind the caller: a store that can (the table journal) queues them and returns, writing them on its
    /// own (and before any later save or read of this process); the default saves them now. For a scan's holds, which no
    /// position names and nothing later in the scan reads.
    /// </summary>
    Task SaveBehindAsync(IReadOnlyList<TradingDecision> decisions, CancellationToken cancellationToken) => SaveManyAsync(decisions, cancellationToken);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken);

    /// <summary>One decision by its id, or null when there is none.</summary>
    Task<TradingDecision?> GetByIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>A page of decisions matching <paramref name="query"/>, newest first.</summary>
    Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken);

    /// <summary>Links a trade's result back to the decision that opened it.</summary>
    Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken);
}

/// <summary>
/// A journal query. Every filter is optional; <see cref="From"/> and <see cref="To"/> are inclusive. Without a
/// symbol the range must stay within <see cref="MaxDaysWithoutSymbol"/> days (one partition set per day is read).
/// <see cref="Cursor"/> is the previous page's <see cref="DecisionPage.NextCursor"/>.
/// </summary>
public sealed record DecisionQuery(
    string? Symbol = null,
    TradingStrategy? Strategy = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    int Limit = DecisionQuery.DefaultLimit,
    string? Cursor = null)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;
    public const int MaxDaysWithoutSymbol = 31;

    /// <summary>Without a symbol and a <see cref="From"/>, the range starts this long before <see cref="To"/>.</summary>
    public static readonly TimeSpan DefaultRangeWithoutSymbol = TimeSpan.FromDays(7);
}

/// <summary>Decisions newest first, and the cursor of the next page (null when this page is the last).</summary>
public sealed record DecisionPage(IReadOnlyList<TradingDecision> Decisions, string? NextCursor);
