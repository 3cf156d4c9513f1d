using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting;

/// <summary>
/// Claims in one process with the table's semantics: a free or lapsed key can be taken, only the holder releases
/// it. For backtests and benchmarks, where one process is the whole world.
/// </summary>
public sealed class InMemoryScanClaimStore : IScanClaimStore
{
    private readonly Dictionary<string, ScanClaim> _claims = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task<ScanClaim?> TryClaimAsync(string key, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(key, out var held) && held.Until > now)
            {
                return Task.FromResult<ScanClaim?>(null);
            }

            var claim = new ScanClaim(key, owner, until, Guid.NewGuid().ToString("N"));
            _claims[key] = claim;
            return Task.FromResult<ScanClaim?>(claim);
        }
    }

    public Task<ScanClaim?> RenewAsync(ScanClaim claim, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_claims.TryGetValue(claim.Key, out var held) || held.Token != claim.Token)
            {
                return Task.FromResult<ScanClaim?>(null);
            }

            var renewed = claim with { Until = until, Token = Guid.NewGuid().ToString("N") };
            _claims[claim.Key] = renewed;
            return Task.FromResult<ScanClaim?>(renewed);
        }
    }

    public Task ReleaseAsync(ScanClaim claim, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_claims.TryGetValue(claim.Key, out var held) && held.Token == claim.Token)
            {
                _claims.Remove(claim.Key);
            }
        }

        return Task.CompletedTask;
    }
}
