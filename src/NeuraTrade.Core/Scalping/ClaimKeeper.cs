using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// Keeps a claim alive while its work runs: renews it every third of the lease (on <see cref="TimeProvider"/>'s timers)
/// and whenever the work asks at a checkpoint (<see cref="RenewIfDueAsync"/>) once half the lease is gone. When a renewal
/// finds the claim taken over (it lapsed while a slow LLM call ran), <see cref="Lost"/> turns true and stays true: the
/// work must then place no further orders, because another process may be doing the same work.
/// </summary>
public sealed class ClaimKeeper : IAsyncDisposable
{
    private readonly IScanClaimStore _claims;
    private readonly TimeSpan _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ScanClaim? _claim;

    public ClaimKeeper(IScanClaimStore claims, ScanClaim claim, TimeSpan lease, TimeProvider time, ILogger logger)
    {
        _claims = claims;
        _claim = claim;
        _lease = lease;
        _time = time;
        _logger = logger;
        _loop = RenewEveryThirdAsync();
    }

    /// <summary>The claim as last renewed; null once lost.</summary>
    public ScanClaim? Current => _claim;

    public bool Lost => _claim is null;

    /// <summary>Renews the claim when half its lease is gone; false when it is lost.</summary>
    public async Task<bool> RenewIfDueAsync(CancellationToken cancellationToken)
    {
        if (_claim is { } claim && claim.Until - _time.GetUtcNow() <= _lease / 2)
        {
            await RenewAsync(cancellationToken);
        }

        return !Lost;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        _stop.Dispose();
        _renewing.Dispose();
    }

    private async Task RenewEveryThirdAsync()
    {
        while (!_stop.IsCancellationRequested && !Lost)
        {
            // Stopped (the usual end, once per scan): return quietly rather than throw; an exception per scan is most of
            // a backtest scan's cost.
            await Task.Delay(_lease / 3, _time, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await RenewAsync(_stop.Token);
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        await _renewing.WaitAsync(cancellationToken);
        try
        {
            if (_claim is not { } claim)
            {
                return;
            }

            try
            {
                _claim = await _claims.RenewAsync(claim, _time.GetUtcNow() + _lease, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Storage unreachable: keep the claim we have; it may still be ours until it lapses.
                _logger.LogWarning("Claim {Key} not renewed ({Error}); it holds until {Until}", claim.Key, FailureLogging.Reason(ex), claim.Until);
                return;
            }

            if (_claim is null)
            {
                _logger.LogWarning("Claim {Key} was lost: it lapsed and another process took it over", claim.Key);
            }
        }
        finally
        {
            _renewing.Release();
        }
    }
}
