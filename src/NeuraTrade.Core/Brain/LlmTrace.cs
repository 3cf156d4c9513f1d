namespace NeuraTrade.Core.Brain;

/// <summary>The audit record of one brain request to an LLM (all rounds of its tool loop).</summary>
public sealed record LlmTrace(
    string Provider,
    string Model,
    string PromptHash,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    long LatencyMs,
    int Rounds,
    string Status,
    IReadOnlyList<ToolCallRecord> ToolCalls,
    string? RawText)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>One tool call the model made: what it asked, what it got, whether it failed.</summary>
public sealed record ToolCallRecord(string Name, string Arguments, string Result, bool Failed, long DurationMs);
