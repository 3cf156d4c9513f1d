using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Llm.Tests;

/// <summary>
/// The write-behind ledger: calls count at once, reach the store in order (what is queued together as one burst),
/// survive a failing or partly failing write, are each logged when never written, and flush on dispose.
/// </summary>
public sealed class WriteBehindLedgerTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_recorded_call_counts_at_once_and_is_in_the_store_after_dispose()
    {
        var store = new FlakyLedger(failures: 2);
        var ledger = new WriteBehindLlmUsageLedger(store, NullLogger<WriteBehindLlmUsageLedger>.Instance);

        await ledger.RecordAsync(Record("a", 1.5m), CancellationToken.None);
        await ledger.RecordAsync(Record("b", 0.5m), CancellationToken.None);
        var seen = await ledger.GetDailyUsageAsync(DateOnly.FromDateTime(Noon.UtcDateTime), CancellationToken.None);
        await ledger.DisposeAsync();

        Assert.InRange(seen.CostUsd, 2m, 4m);
        Assert.Equal(["a", "b"], store.Records.Select(r => r.Id));
        Assert.Equal(0, ledger.PendingCount);
        var after = await store.GetDailyUsageAsync(DateOnly.FromDateTime(Noon.UtcDateTime), CancellationToken.None);
        Assert.Equal(2m, after.CostUsd);
        Assert.Equal(2, store.Failures);
    }

    [Fact]
    public async Task A_burst_the_store_partly_recorded_retries_only_the_records_it_did_not()
    {
        var store = new PartlyFailingLedger(recordFirst: 3);
        var ledger = new WriteBehindLlmUsageLedger(store, NullLogger<WriteBehindLlmUsageLedger>.Instance);

        // The first write is held while five more queue, so they reach the store as one burst.
        await ledger.RecordAsync(Record("r0", 1m), CancellationToken.None);
        await store.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await ledger.RecordManyAsync([.. Enumerable.Range(1, 5).Select(i => Record($"r{i}", 0.25m * i))], CancellationToken.None);
        store.Release.SetResult();
        await ledger.DisposeAsync();

        // The burst of 5 recorded r1..r3 and failed; the retry wrote r4, r5 only. 1 + 0.25 × (1+…+5) = 4.75 USD, 6 calls.
        Assert.Equal([1, 5, 2], store.Bursts);
        Assert.Equal(["r0", "r1", "r2", "r3", "r4", "r5"], store.Inner.Records.Select(r => r.Id));
        Assert.Equal(new LlmDailyUsage(DateOnly.FromDateTime(Noon.UtcDateTime), 6, 600, 60, 4.75m), await store.GetDailyUsageAsync(DateOnly.FromDateTime(Noon.UtcDateTime), CancellationToken.None));
        Assert.Equal(0, ledger.PendingCount);
    }

    [Fact]
    public async Task Records_the_store_never_takes_are_each_logged_and_leave_the_pending_set()
    {
        var store = new FlakyLedger(failures: int.MaxValue);
        var logger = new CapturingLogger<WriteBehindLlmUsageLedger>();
        var ledger = new WriteBehindLlmUsageLedger(store, logger);

        await ledger.RecordManyAsync([Record("a", 1m), Record("b", 2m), Record("c", 3m)], CancellationToken.None);
        await ledger.DisposeAsync();

        Assert.Empty(store.Records);
        var lost = logger.Entries.Where(e => e.Level == LogLevel.Error).Select(e => e.Message).ToList();
        Assert.Equal(3, lost.Count);
        Assert.All(["1", "2", "3"], cost => Assert.Single(lost, m => m.Contains($" {cost} USD", StringComparison.Ordinal)));
        Assert.Equal(0, ledger.PendingCount);
    }

    private static LlmUsageRecord Record(string id, decimal cost) =>
        new(id, Noon, "openai", "gpt-4o-mini", "decision", "BTC/USDT", 100, 10, cost, 300, 1, "ok");

    /// <summary>A store that fails its first writes, then works.</summary>
    private sealed class FlakyLedger(int failures) : ILlmUsageLedger
    {
        private readonly MemoryLedger _inner = new();

        public int Failures { get; private set; }

        public IReadOnlyList<LlmUsageRecord> Records => _inner.Records;

        public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken) => RecordManyAsync([record], cancellationToken);

        public Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
        {
            if (Failures < failures)
            {
                Failures++;
                throw new InvalidOperationException("storage unavailable");
            }

            return _inner.RecordManyAsync(records, cancellationToken);
        }

        public Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken) => _inner.GetDailyUsageAsync(day, cancellationToken);
    }

    /// <summary>
    /// A store that holds its first write until released, and whose first write of more than
    /// <paramref name="recordFirst"/> records records only those and says which it did not.
    /// </summary>
    private sealed class PartlyFailingLedger(int recordFirst) : ILlmUsageLedger
    {
        private bool _failed;

        public MemoryLedger Inner { get; } = new();

        public List<int> Bursts { get; } = [];

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken) => RecordManyAsync([record], cancellationToken);

        public async Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
        {
            Bursts.Add(records.Count);
            Entered.TrySetResult();
            await Release.Task;
            if (_failed || records.Count <= recordFirst)
            {
                await Inner.RecordManyAsync(records, cancellationToken);
                return;
            }

            _failed = true;
            await Inner.RecordManyAsync([.. records.Take(recordFirst)], cancellationToken);
            throw new LlmUsagePartlyRecordedException([.. records.Skip(recordFirst)], new InvalidOperationException("a later transaction failed"));
        }

        public Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken) => Inner.GetDailyUsageAsync(day, cancellationToken);
    }
}
