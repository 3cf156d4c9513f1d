using Microsoft.Extensions.Logging.Abstractions;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Llm.Tests;

/// <summary>The write-behind ledger: calls count at once, reach the store in order, survive a failing write, and flush on dispose.</summary>
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

    private static LlmUsageRecord Record(string id, decimal cost) =>
        new(id, Noon, "openai", "gpt-4o-mini", "decision", "BTC/USDT", 100, 10, cost, 300, 1, "ok");

    /// <summary>A store that fails its first writes, then works.</summary>
    private sealed class FlakyLedger(int failures) : ILlmUsageLedger
    {
        private readonly MemoryLedger _inner = new();

        public int Failures { get; private set; }

        public IReadOnlyList<LlmUsageRecord> Records => _inner.Records;

        public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
        {
            if (Failures < failures)
            {
                Failures++;
                throw new InvalidOperationException("storage unavailable");
            }

            return _inner.RecordAsync(record, cancellationToken);
        }

        public Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken) => _inner.GetDailyUsageAsync(day, cancellationToken);
    }
}
