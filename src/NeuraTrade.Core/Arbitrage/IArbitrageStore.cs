namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// The arbitrage's durable state: its own toggle (started from <c>Arbitrage:Enabled</c>), why it is off when the kill switch
/// turned it off, and the last scan with its best net edge.
/// </summary>
public sealed record ArbitrageState(
    bool Enabled,
    string? OffReason,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? LastScanAt,
    string? LastScanSummary,
    decimal? LastBestEdgePercent);

/// <summary>An executed (or refused) arbitrage as stored, with the instant it was decided on the app's clock.</summary>
public sealed record StoredArbitrageOutcome(DateTimeOffset At, ArbitrageOutcome Outcome);

/// <summary>The arbitrage's state and outcomes (Table Storage in the hosts).</summary>
public interface IArbitrageStore
{
    /// <summary>The state; a store with no row yet answers the start value (<c>Arbitrage:Enabled</c>).</summary>
    Task<ArbitrageState> GetStateAsync(CancellationToken cancellationToken);

    /// <summary>Turns the arbitrage on or off; <paramref name="reason"/> says why it is off (null when toggled by hand).</summary>
    Task<ArbitrageState> SetEnabledAsync(bool enabled, string? reason, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records the last scan: when, what it found, its best net edge (null when no pair was judged).</summary>
    Task RecordScanAsync(DateTimeOffset at, string summary, decimal? bestEdgePercent, CancellationToken cancellationToken);

    /// <summary>Stores an outcome under <paramref name="at"/>'s UTC day (a retried decision overwrites its own row).</summary>
    Task SaveOutcomeAsync(DateTimeOffset at, ArbitrageOutcome outcome, CancellationToken cancellationToken);

    /// <summary>The outcomes of one UTC day, oldest first.</summary>
    Task<IReadOnlyList<StoredArbitrageOutcome>> GetOutcomesAsync(DateOnly day, CancellationToken cancellationToken);
}
