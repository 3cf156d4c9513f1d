using Microsoft.Extensions.AI;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Sits inside the tool loop, so it sees every round: adds each round's usage to the current
/// <see cref="LlmCallScope"/> and refuses another round once the decision's token budget is spent.
/// </summary>
public sealed class TokenBudgetChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var scope = LlmCallScope.Current;
        if (scope is { TokenBudget: > 0 } && scope.TotalTokens >= scope.TokenBudget)
        {
            throw new TokenBudgetExceededException(scope.TotalTokens, scope.TokenBudget);
        }

        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        scope?.AddRound(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        return response;
    }
}
