using System.Collections.Concurrent;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Accumulates what happens inside one brain request while the tool loop runs: tokens per round, rounds,
/// tool calls. It flows with the async call (AsyncLocal), so the pieces of the chat pipeline can add to it
/// without the tool loop knowing about them.
/// </summary>
public sealed class LlmCallScope : IDisposable
{
    private static readonly AsyncLocal<LlmCallScope?> CurrentScope = new();
    private readonly LlmCallScope? _previous;
    private long _inputTokens;
    private long _outputTokens;
    private int _rounds;

    private LlmCallScope(long tokenBudget)
    {
        TokenBudget = tokenBudget;
        _previous = CurrentScope.Value;
        CurrentScope.Value = this;
    }

    public static LlmCallScope? Current => CurrentScope.Value;

    public long TokenBudget { get; }

    public long InputTokens => Interlocked.Read(ref _inputTokens);

    public long OutputTokens => Interlocked.Read(ref _outputTokens);

    public long TotalTokens => InputTokens + OutputTokens;

    public int Rounds => Volatile.Read(ref _rounds);

    public ConcurrentQueue<ToolCallRecord> ToolCalls { get; } = new();

    public static LlmCallScope Begin(long tokenBudget) => new(tokenBudget);

    public void AddRound(long inputTokens, long outputTokens)
    {
        Interlocked.Add(ref _inputTokens, inputTokens);
        Interlocked.Add(ref _outputTokens, outputTokens);
        Interlocked.Increment(ref _rounds);
    }

    public void Dispose() => CurrentScope.Value = _previous;
}
