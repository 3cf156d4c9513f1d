using Microsoft.Extensions.AI;

namespace NeuraTrade.Llm.Tests;

/// <summary>An in-process model that answers from a function of the request: for fuzzing the reader, not the protocol.</summary>
public sealed class ScriptedChatClient(Func<IList<ChatMessage>, ChatResponse> answer) : IChatClient
{
    public int Calls { get; private set; }

    public static ChatResponse Text(string text, ChatFinishReason? finish = null, long input = 100, long output = 50) =>
        new(new ChatMessage(ChatRole.Assistant, text))
        {
            FinishReason = finish ?? ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls++;
        return Task.FromResult(answer(messages.ToList()));
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the brain does not stream");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
