using System.Globalization;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The account baseline of a backtest or a test, in memory, with the table store's semantics: the first baseline added
/// wins, a replace needs the stored version, every write gets a new version.
/// </summary>
public sealed class InMemoryAccountBaselineStore : IAccountBaselineStore
{
    private readonly Lock _lock = new();
    private AccountBaseline? _stored;
    private long _versions;

    public Task<AccountBaseline?> GetAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_stored);
        }
    }

    public Task<AccountBaseline> AddIfAbsentAsync(AccountBaseline baseline, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _stored ??= Versioned(baseline);
            return Task.FromResult(_stored);
        }
    }

    public Task<bool> ReplaceAsync(AccountBaseline current, AccountBaseline next, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_stored is null || _stored.Version != current.Version)
            {
                return Task.FromResult(false);
            }

            _stored = Versioned(next);
            return Task.FromResult(true);
        }
    }

    /// <summary>Forgets the baseline, as deleting the table row does: the next scan records a new one.</summary>
    public void Delete()
    {
        lock (_lock)
        {
            _stored = null;
        }
    }

    private AccountBaseline Versioned(AccountBaseline baseline) =>
        baseline with { Version = (++_versions).ToString(CultureInfo.InvariantCulture) };
}
