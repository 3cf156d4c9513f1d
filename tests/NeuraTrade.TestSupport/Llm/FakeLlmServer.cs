using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuraTrade.Llm;

namespace NeuraTrade.TestSupport;

/// <summary>A request the fake server received.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, JsonNode? Body);

/// <summary>One scripted answer: status, body, optional delay and headers.</summary>
public sealed record ScriptedReply(int Status, string Body, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A loopback server that speaks the wire protocols the real SDKs use: OpenAI chat completions
/// (<c>/v1/chat/completions</c>), Azure OpenAI (<c>/openai/deployments/{name}/chat/completions?api-version=…</c>)
/// and Anthropic messages (<c>/v1/messages</c>). It replays a script of replies and records every request.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedReply> _script = new();

    private FakeLlmServer(WebApplication app)
    {
        _app = app;
    }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>Served when the script is empty.</summary>
    public ScriptedReply? Fallback { get; set; }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FakeLlmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeLlmServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return server;
    }

    public FakeLlmServer Reply(params ScriptedReply[] replies)
    {
        foreach (var r in replies)
        {
            _script.Enqueue(r);
        }

        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        Requests.Enqueue(new ReceivedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty,
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
            string.IsNullOrEmpty(body) ? null : JsonNode.Parse(body)));
        var reply = _script.TryDequeue(out var next) ? next : Fallback ?? new ScriptedReply(500, """{"error":{"message":"script is empty"}}""");
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(reply.Body);
    }
}

/// <summary>Protocol-correct reply bodies for each provider.</summary>
public static class Replies
{
    public static ScriptedReply OpenAIText(string content, string finish = "stop", int prompt = 120, int completion = 40) =>
        new(200, OpenAiWire.Completion(OpenAiWire.Text(content), finish, prompt, completion).ToJsonString());

    public static ScriptedReply OpenAIToolCall(string tool, string argumentsJson, int prompt = 100, int completion = 20) =>
        new(200, OpenAiWire.Completion(OpenAiWire.ToolCall(tool, argumentsJson), "tool_calls", prompt, completion, "chatcmpl-tool").ToJsonString());

    public static ScriptedReply AnthropicText(string text, string stop = "end_turn", int input = 120, int output = 40) => new(200, new JsonObject
    {
        ["id"] = "msg_test",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = "claude-3-5-haiku-latest",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
        ["stop_reason"] = stop,
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = output },
    }.ToJsonString());

    public static ScriptedReply AnthropicToolUse(string tool, string inputJson, int input = 100, int output = 20) => new(200, new JsonObject
    {
        ["id"] = "msg_tool",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = "claude-3-5-haiku-latest",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_1", ["name"] = tool, ["input"] = JsonNode.Parse(inputJson) }),
        ["stop_reason"] = "tool_use",
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject { ["input_tokens"] = input, ["output_tokens"] = output },
    }.ToJsonString());

    public static ScriptedReply Error(int status, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, """{"type":"error","error":{"type":"api_error","message":"scripted failure"}}""", Headers: headers);

    public static ScriptedReply Text(string provider, string content, string? finish = null) =>
        provider == LlmProviders.Anthropic
            ? AnthropicText(content, finish == "length" ? "max_tokens" : "end_turn")
            : OpenAIText(content, finish ?? "stop");

    public static ScriptedReply ToolCall(string provider, string tool, string args) =>
        provider == LlmProviders.Anthropic ? AnthropicToolUse(tool, args) : OpenAIToolCall(tool, args);
}
