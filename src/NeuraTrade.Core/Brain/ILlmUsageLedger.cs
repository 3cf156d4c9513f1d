namespace NeuraTrade.Core.Brain;

/// <summary>The LLM bill: one row per brain request, and the day's totals for the budget check.</summary>
public interface ILlmUsageLedger
{
    Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Records a burst (a scan's answers arrive together) with the same totals as recording them one by one, in as few
    /// store requests as the store allows. When it throws <see cref="LlmUsagePartlyRecordedException"/> the records it
    /// names are not recorded and the others are; any other exception means none was recorded.
    /// </summary>
    Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken);

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


/// <summary>
/// A burst written in several store transactions failed after some of them: <see cref="NotRecorded"/> are the records
/// still to record (retrying only those counts nothing twice).
/// </summary>
public sealed class LlmUsagePartlyRecordedException(IReadOnlyList<LlmUsageRecord> notRecorded, Exception inner)
    : Exception($"{notRecorded.Count} LLM usage records not recorded: {inner.Message}", inner)
{
    public IReadOnlyList<LlmUsageRecord> NotRecorded { get; } = notRecorded;
}
