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
/// <para>
/// The same queue writes a scan's holds behind it (<see cref="SaveBehindAsync"/>): they are queued and written by a
/// task of their own (in order, in as few transactions as the store allows), so the scan does not wait for them. Until
/// written they are in memory like held decisions: every later save or read of this process writes them first (a read
/// never misses them), disposal (the host stopping) writes what is left, and only a crash in the few milliseconds before
/// they are written loses them (every decision is logged when it is made).
/// </para>
/// </summary>
public sealed class DurableDecisionJournal(TableDecisionStore inner, ILogger<DurableDecisionJournal> logger) : IDecisionStore, IAsyncDisposable, IDisposable
{
    public const int Capacity = 1_000;
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly List<TradingDecision> _pending = [];
    private readonly SemaphoreSlim _flush = new(1, 1);

    /// <summary>The task writing queued decisions behind their callers; null when none runs.</summary>
    private Task? _behind;

    /// <summary>Whether decisions were held for an outage (said when storage is back).</summary>
    private bool _outage;

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

    /// <summary>Writes what is queued (waiting for the writer behind, then once more), then frees the journal.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAny(DrainAsync(), Task.Delay(DisposeTimeout));

        try
        {
            using var timeout = new CancellationTokenSource(DisposeTimeout);
            await FlushAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogFailure(LogLevel.Error, ex, "Journal: {Pending} decisions not written before shutdown: {Reason}", PendingCount);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Queues <paramref name="decisions"/> and returns; a writer of their own writes them (see the remarks above). Past
    /// <see cref="Capacity"/> queued decisions they are written now instead.
    /// </summary>
    public Task SaveBehindAsync(IReadOnlyList<TradingDecision> decisions, CancellationToken cancellationToken)
    {
        if (decisions.Count == 0)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (_pending.Count + decisions.Count > Capacity)
            {
                // Written now, outside the lock (an outage then holds them or fails loudly, as any save).
                return SaveNowAsync();
            }

            _pending.AddRange(decisions);
            if (_behind is null)
            {
                // Not the caller's flow: its writes are nobody's request (a scan's counted round trips, its cancellation).
                using (ExecutionContext.SuppressFlow())
                {
                    _behind = Task.Run(WriteBehindAsync, CancellationToken.None);
                }
            }
        }

        return Task.CompletedTask;

        async Task SaveNowAsync()
        {
            await Task.Yield();
            await SaveManyAsync(decisions, cancellationToken);
        }
    }

    /// <summary>
    /// Completes when the writer behind has written everything queued (or met an outage, which leaves it held); at once
    /// when none runs. Disposal and tests wait on it.
    /// </summary>
    public Task DrainAsync()
    {
        lock (_gate)
        {
            return _behind ?? Task.CompletedTask;
        }
    }

    /// <summary>Writes the queue until it is empty; a storage outage leaves it for the next save or read (as held decisions).</summary>
    private async Task WriteBehindAsync()
    {
        while (true)
        {
            try
            {
                await FlushAsync(CancellationToken.None);
            }
            catch (Exception ex) when (StorageFailure.IsTransient(ex, CancellationToken.None))
            {
                lock (_gate)
                {
                    _behind = null;
                    _outage = true;
                    logger.LogWarning(new EventId(4103, "JournalBehindHeld"), "Storage unavailable ({Error}): {Count} decisions held in memory until it returns", FailureLogging.Reason(ex), _pending.Count);
                }

                return;
            }
            catch (Exception ex)
            {
                // Not an outage (a refused write): nothing would ever write these. Each is named, none silently lost.
                lock (_gate)
                {
                    foreach (var d in _pending)
                    {
                        logger.LogFailure(LogLevel.Error, new EventId(4104, "JournalBehindFailed"), ex, "Decision {DecisionId} {Symbol} {Action} not journaled: {Reason}", d.Id, d.Symbol, d.Action);
                    }

                    _pending.Clear();
                    _behind = null;
                }

                return;
            }

            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _behind = null;
                    return;
                }
            }
        }
    }

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

            bool outage;
            lock (_gate)
            {
                outage = _outage;
                _outage = false;
            }

            if (outage)
            {
                logger.LogInformation(new EventId(4102, "JournalFlushed"), "Storage is back: {Count} held decisions journaled", batch.Length);
            }

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
            _outage = true;
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
