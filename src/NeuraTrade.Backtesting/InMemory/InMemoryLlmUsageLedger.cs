using NeuraTrade.Core.Brain;

namespace NeuraTrade.Backtesting;

/// <summary>The LLM bill of a backtest: totals for the report, and per-day totals so the daily budget still applies.</summary>
public sealed class InMemoryLlmUsageLedger : ILlmUsageLedger
{
    private readonly Dictionary<DateOnly, LlmDailyUsage> _days = [];

    public int Calls { get; private set; }

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public decimal CostUsd { get; private set; }

    /// <summary>Calls whose model has no price configured (their cost is unknown, not zero).</summary>
    public int UnpricedCalls { get; private set; }

    public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
    {
        Calls++;
        InputTokens += record.InputTokens;
        OutputTokens += record.OutputTokens;
        CostUsd += record.CostUsd ?? 0m;
        UnpricedCalls += record.CostUsd is null ? 1 : 0;
        var day = DateOnly.FromDateTime(record.At.UtcDateTime);
        var d = _days.GetValueOrDefault(day) ?? LlmDailyUsage.Empty(day);
        _days[day] = d with
        {
            Calls = d.Calls + 1,
            InputTokens = d.InputTokens + record.InputTokens,
            OutputTokens = d.OutputTokens + record.OutputTokens,
            CostUsd = d.CostUsd + (record.CostUsd ?? 0m),
        };
        return Task.CompletedTask;
    }

    public async Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            await RecordAsync(record, cancellationToken);
        }
    }

    public Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken) =>
        Task.FromResult(_days.GetValueOrDefault(day) ?? LlmDailyUsage.Empty(day));
}
