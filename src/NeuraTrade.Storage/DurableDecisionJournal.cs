using Azure;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>
/// Keeps decisions that could not be journaled because storage was unavailable (after the SDK's own retries)
/// in memory, in order, and writes them before anything else on the next save or read that reaches storage.
/// A decision already made is therefore not lost to an outage; the scan itself stops at its next storage read,
/// so no new order is placed while storage is down. Bounded: beyond <see cref="Capacity"/> pending decisions the
/// save fails loudly instead of dropping one. Memory does not survive a process restart; the log names every
/// decision held, so an operator can see what a crash during an outage would lose.
/// </summary>
public sealed class DurableDecisionJournal(TableDecisionStore inner, ILogger<DurableDecisionJournal> logger) : IDecisionStore, IDisposable
{
    public const int Capacity = 1_000;

    private readonly Lock _gate = new();
    private readonly List<TradingDecision> _pending = [];
    private readonly SemaphoreSlim _flush = new(1, 1);

    /// <summary>Decisions waiting for storage to come back.</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Dispose() => _flush.Dispose();

    public Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken) => SaveManyAsync([decision], cancellationToken);

    public async Task SaveManyAsync(IReadOnlyList<TradingDecision> decisions, CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
            await inner.SaveManyAsync(decisions, cancellationToken);
        }
        catch (Exception ex) when (StorageFailure.IsTransient(ex, cancellationToken))
        {
            Hold(decisions, ex);
        }
    }

    /// <summary>Writes what is pending; true when nothing is left. Throws the storage failure when it is still down.</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        if (PendingCount == 0)
        {
            return true;
        }

        await _flush.WaitAsync(cancellationToken);
        try
        {
            TradingDecision[] batch;
            lock (_gate)
            {
                batch = [.. _pending];
            }

            if (batch.Length == 0)
            {
                return true;
            }

            await inner.SaveManyAsync(batch, cancellationToken);
            lock (_gate)
            {
                _pending.RemoveRange(0, batch.Length);
            }

            logger.LogInformation(new EventId(4102, "JournalFlushed"), "Storage is back: {Count} held decisions journaled", batch.Length);
            return PendingCount == 0;
        }
        finally
        {
            _flush.Release();
        }
    }

    public async Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await inner.GetLatestAsync(symbol, limit, cancellationToken);
    }

    public async Task<TradingDecision?> GetByIdAsync(string id, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await inner.GetByIdAsync(id, cancellationToken);
    }

    public async Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        return await inner.QueryAsync(query, cancellationToken);
    }

    public async Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await inner.RecordOutcomeAsync(decision, outcome, pnl, cancellationToken);
    }

    private void Hold(IReadOnlyList<TradingDecision> decisions, Exception failure)
    {
        lock (_gate)
        {
            var fresh = decisions.Where(d => !_pending.Any(p => p.Id == d.Id)).ToList();
            if (_pending.Count + fresh.Count > Capacity)
            {
                throw new InvalidOperationException(
                    $"storage is unavailable and {_pending.Count} decisions are already held (capacity {Capacity}); decision {decisions[0].Id} cannot be kept",
                    failure);
            }

            _pending.AddRange(fresh);
        }

        foreach (var d in decisions)
        {
            logger.LogWarning(new EventId(4101, "JournalHeld"), "Storage unavailable ({Error}): decision {DecisionId} {Symbol} {Action} held in memory until it returns",
                FailureLogging.Reason(failure), d.Id, d.Symbol, d.Action);
        }
    }
}

/// <summary>Which storage failures are an outage (worth holding work for) rather than a bug or a refusal.</summary>
public static class StorageFailure
{
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => false,
        RequestFailedException r => r.Status is 0 or 408 or 429 or 500 or 502 or 503 or 504,
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(e => IsTransient(e, cancellationToken)),
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };
}
