namespace NeuraTrade.Core.Scalping;

/// <summary>A lease on a named piece of work (the scan, one position's exit), held until it is released or lapses.</summary>
public sealed record ScanClaim(string Key, string Owner, DateTimeOffset Until, string Token);

/// <summary>
/// Claims shared across processes, so that two scans running at once (timer overlap, scale-out, a manual scan) or
/// two closes of one position never both act. Backed by insert-if-absent and ETag writes in Table Storage.
/// </summary>
public interface IScanClaimStore
{
    /// <summary>Takes <paramref name="key"/> until <paramref name="until"/> when it is free or its lease lapsed by <paramref name="now"/>; null when someone else holds it.</summary>
    Task<ScanClaim?> TryClaimAsync(string key, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Extends a claim this owner still holds to <paramref name="until"/> (a scan that outlives its lease renews it);
    /// null when the claim lapsed and someone else took it, or it is gone.
    /// </summary>
    Task<ScanClaim?> RenewAsync(ScanClaim claim, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Gives the claim back if it is still this one (a lapsed claim taken over by another owner is left alone).</summary>
    Task ReleaseAsync(ScanClaim claim, CancellationToken cancellationToken);
}
