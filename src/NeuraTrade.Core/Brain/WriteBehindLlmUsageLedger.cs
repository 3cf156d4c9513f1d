using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Takes the ledger write off the decision's path: a scan's concurrent LLM calls would otherwise queue on the
/// store's transactions before their decisions return. Records go to a queue that one writer drains in order, taking
/// everything queued at that moment as one burst (<see cref="ILlmUsageLedger.RecordManyAsync"/>: a scan's answers arrive
/// together, and the store writes them in one read and one transaction instead of two requests each while the scan
/// places its entries); a failed write is retried with backoff, and a record still not written is logged, one line
/// each. Until written, records still count in <see cref="GetDailyUsageAsync"/>,
/// so the budget check sees them at once. In the moment between a write and its removal from the queue a record can
/// count twice: the budget errs on the safe side. Disposing flushes what is queued.
/// </summary>
public sealed class WriteBehindLlmUsageLedger : ILlmUsageLedger, IAsyncDisposable, IDisposable
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private readonly ILlmUsageLedger _inner;
    private readonly ILogger _logger;
    private readonly Channel<LlmUsageRecord> _queue = Channel.CreateBounded<LlmUsageRecord>(new BoundedChannelOptions(10_000) { SingleReader = true });
    private readonly ConcurrentDictionary<string, LlmUsageRecord> _pending = new(StringComparer.Ordinal);
    private readonly Task _writer;

    public WriteBehindLlmUsageLedger(ILlmUsageLedger inner, ILogger<WriteBehindLlmUsageLedger> logger)
    {
        _inner = inner;
        _logger = logger;
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Records not yet in the store.</summary>
    public int PendingCount => _pending.Count;

    public async Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
    {
        _pending[record.Id] = record;
        await _queue.Writer.WriteAsync(record, cancellationToken);
    }

    public async Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            await RecordAsync(record, cancellationToken);
        }
    }

    public async Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var stored = await _inner.GetDailyUsageAsync(day, cancellationToken);
        foreach (var r in _pending.Values.Where(r => DateOnly.FromDateTime(r.At.UtcDateTime) == day))
        {
            stored = stored with
            {
                Calls = stored.Calls + 1,
                InputTokens = stored.InputTokens + r.InputTokens,
                OutputTokens = stored.OutputTokens + r.OutputTokens,
                CostUsd = stored.CostUsd + (r.CostUsd ?? 0m),
            };
        }

        return stored;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (await Task.WhenAny(_writer, Task.Delay(FlushTimeout)) != _writer)
        {
            _logger.LogError("LLM usage ledger: {Pending} records not written before shutdown", _pending.Count);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task WriteAsync()
    {
        var burst = new List<LlmUsageRecord>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            burst.Clear();
            while (_queue.Reader.TryRead(out var record))
            {
                burst.Add(record);
            }

            if (burst.Count > 0)
            {
                await WriteBurstAsync(burst);
            }
        }
    }

    /// <summary>Writes the burst, retrying what is not yet recorded; what never is gets logged, and leaves the pending set either way.</summary>
    private async Task WriteBurstAsync(List<LlmUsageRecord> burst)
    {
        IReadOnlyList<LlmUsageRecord> left = [.. burst];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _inner.RecordManyAsync(left, CancellationToken.None);
                break;
            }
            catch (Exception ex) when (attempt < MaxAttempts)
            {
                left = Remaining(left, ex);
                _logger.LogFailure(LogLevel.Warning, ex, "LLM usage ledger write of {Records} records failed (attempt {Attempt}); retrying: {Reason}", left.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (Exception ex)
            {
                foreach (var record in Remaining(left, ex))
                {
                    _logger.LogFailure(LogLevel.Error, ex, "LLM usage not recorded: {Provider} {Model} {InputTokens} in {OutputTokens} out {CostUsd} USD: {Reason}", record.Provider, record.Model, record.InputTokens, record.OutputTokens, record.CostUsd);
                }

                break;
            }
        }

        foreach (var record in burst)
        {
            _pending.TryRemove(record.Id, out _);
        }
    }

    /// <summary>The records a failed write left unrecorded; those it did record stop counting as pending at once.</summary>
    private IReadOnlyList<LlmUsageRecord> Remaining(IReadOnlyList<LlmUsageRecord> tried, Exception failure)
    {
        if (failure is not LlmUsagePartlyRecordedException partly)
        {
            return tried;
        }

        foreach (var record in tried.Except(partly.NotRecorded))
        {
            _pending.TryRemove(record.Id, out _);
        }

        return partly.NotRecorded;
    }
}
