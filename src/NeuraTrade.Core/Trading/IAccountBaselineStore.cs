namespace NeuraTrade.Core.Trading;

/// <summary>
/// The one stored <see cref="AccountBaseline"/> of the live account, shared by every process: recorded once with
/// insert-if-absent, moved forward only under its <see cref="AccountBaseline.Version"/>. Deleting it (by hand) makes the
/// next scan record a new one.
/// </summary>
public interface IAccountBaselineStore
{
    /// <summary>The stored baseline with its version; null when none was recorded (or it was deleted).</summary>
    Task<AccountBaseline?> GetAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="baseline"/> unless a baseline exists, and returns the stored one with its version: this one,
    /// or the one another process recorded first (which then wins).
    /// </summary>
    Task<AccountBaseline> AddIfAbsentAsync(AccountBaseline baseline, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces <paramref name="current"/> with <paramref name="next"/> if <paramref name="current"/> is still the stored
    /// baseline (same version); false when another process changed or deleted it first.
    /// </summary>
    Task<bool> ReplaceAsync(AccountBaseline current, AccountBaseline next, CancellationToken cancellationToken);
}
