namespace NeuraTrade.Core.Brain;

/// <summary>The tool loop used up the per-decision token budget (<c>AI:TokenBudgetPerDecision</c>).</summary>
public sealed class TokenBudgetExceededException(long used, long budget)
    : Exception($"the decision used {used} tokens of its {budget} token budget")
{
    public long Used { get; } = used;

    public long Budget { get; } = budget;
}
