namespace NeuraTrade.Core.Brain;

/// <summary>The LLM bill: one row per brain request, and the day's totals for the budget check.</summary>
public interface ILlmUsageLedger
{
    Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken);

    Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken);
}

/// <summary>One brain request to an LLM. <see cref="CostUsd"/> is null when the model has no price configured.</summary>
public sealed record LlmUsageRecord(
    string Id,
    DateTimeOffset At,
    string Provider,
    string Model,
    string Purpose,
    string Symbol,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    long LatencyMs,
    int Rounds,
    string Status);

/// <summary>A UTC day's LLM usage.</summary>
public sealed record LlmDailyUsage(DateOnly Day, int Calls, long InputTokens, long OutputTokens, decimal CostUsd)
{
    public static LlmDailyUsage Empty(DateOnly day) => new(day, 0, 0, 0, 0m);
}
