using System.Text.Json.Nodes;

namespace NeuraTrade.TestSupport;

/// <summary>The OpenAI chat-completions wire shapes the loopback servers answer with (the envelope the real SDKs parse).</summary>
public static class OpenAiWire
{
    /// <summary>A <c>chat.completion</c> with one choice: <paramref name="message"/>, its finish reason and the usage.</summary>
    public static JsonObject Completion(JsonObject message, string finishReason, int promptTokens, int completionTokens, string id = "chatcmpl-test") => new()
    {
        ["id"] = id,
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = "gpt-4o-mini",
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = finishReason }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
    };

    /// <summary>An assistant message with text content.</summary>
    public static JsonObject Text(string content) => new() { ["role"] = "assistant", ["content"] = content };

    /// <summary>An assistant message that calls one tool with <paramref name="argumentsJson"/>.</summary>
    public static JsonObject ToolCall(string tool, string argumentsJson, string callId = "call_1") => new()
    {
        ["role"] = "assistant",
        ["content"] = null,
        ["tool_calls"] = new JsonArray(new JsonObject
        {
            ["id"] = callId,
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = tool, ["arguments"] = argumentsJson },
        }),
    };
}
