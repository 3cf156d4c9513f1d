using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Brain;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The cassette key is written straight to UTF-8 for speed; every cassette ever recorded was keyed from a JSON tree
/// (<see cref="TreeKey"/>, the first implementation, kept here as the reference). The two must agree on every request,
/// or recorded cassettes would miss.
/// </summary>
public sealed class CassetteKeyTests
{
    private static readonly AIFunction Tool = AIFunctionFactory.Create((string symbol) => symbol, "get_ticker");

    public static TheoryData<string> Formats => new() { "none", "json", "text", "schema" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void The_key_is_the_one_the_json_tree_gives_for_any_text(string format)
    {
        Gen.Select(Gen.String, Gen.String, Gen.Float[0f, 2f].Nullable(), Gen.Int[1, 4000].Nullable(), Gen.Bool)
            .Sample((system, user, temperature, maxTokens, tools) =>
            {
                ChatMessage[] messages = [new(ChatRole.System, system), new(ChatRole.User, user)];
                var options = new ChatOptions { ModelId = user.Length % 2 == 0 ? "gpt-4o-mini" : null, Temperature = temperature, MaxOutputTokens = maxTokens, ResponseFormat = Format(format) };
                if (tools)
                {
                    options.Tools = [Tool];
                    options.ToolMode = ChatToolMode.Auto;
                }

                return CassetteChatClient.Key(messages, options) == TreeKey(messages, options);
            });
    }

    [Fact]
    public void The_key_is_the_one_the_json_tree_gives_for_prompts_and_other_contents()
    {
        var schema = ChatResponseFormat.ForJsonSchema(DecisionJson.Schema, "trading_decision");
        var requests = new (ChatMessage[] Messages, ChatOptions? Options)[]
        {
            ([new(ChatRole.System, PromptBuilder.SystemPrompt(TradingStrategy.Scalping, new BrainOptions())), new(ChatRole.User, """{"symbol":"ASSET/CASH","price":{"last":100.5,"ask":1e-7},"note":"<b> & 'x' + \u00e9 \u20ac \ud83d\ude80"}""")], new ChatOptions { ModelId = "m", Temperature = 0.2f, TopP = 0.9f, MaxOutputTokens = 800, ResponseFormat = schema }),
            ([new(ChatRole.User, "u")], null),
            ([], new ChatOptions()),
            ([new(ChatRole.User, [new TextContent("a"), new TextContent("b\n")])], new ChatOptions { ToolMode = ChatToolMode.RequireAny, Tools = [Tool] }),
            ([new(ChatRole.User, [new TextContent("a") { AdditionalProperties = new() { ["k"] = 1 } }])], new ChatOptions { ToolMode = ChatToolMode.None }),
            ([new(ChatRole.Assistant, [new FunctionCallContent("call-1", "get_ticker", new Dictionary<string, object?> { ["symbol"] = "BTC/USDT" })]), new(ChatRole.Tool, [new FunctionResultContent("call-1", "42")])], new ChatOptions { ResponseFormat = ChatResponseFormat.Json }),
            ([new(ChatRole.User, [new DataContent(new byte[] { 1, 2, 3 }, "image/png"), new TextContent("what is it")])], new ChatOptions { ResponseFormat = ChatResponseFormat.Text }),
            ([new(new ChatRole("custom"), "x")], new ChatOptions { ModelId = "m", Temperature = 1e-8f }),
        };
        foreach (var (messages, options) in requests)
        {
            Assert.Equal(TreeKey(messages, options), CassetteChatClient.Key(messages, options));
            Assert.Equal(TreeKey(messages, options), CassetteChatClient.Key(messages, options));
        }

        // One format object asked again after another with the same schema: each keyed by its own JSON.
        var other = ChatResponseFormat.ForJsonSchema(JsonDocument.Parse("""{"type":"object"}""").RootElement, "other");
        ChatMessage[] one = [new(ChatRole.User, "u")];
        Assert.NotEqual(CassetteChatClient.Key(one, new ChatOptions { ResponseFormat = schema }), CassetteChatClient.Key(one, new ChatOptions { ResponseFormat = other }));
        Assert.Equal(TreeKey(one, new ChatOptions { ResponseFormat = other }), CassetteChatClient.Key(one, new ChatOptions { ResponseFormat = other }));
    }

    [Fact]
    public async Task A_replayed_response_is_the_recorded_one_and_changing_it_changes_no_later_replay()
    {
        var path = Path.Combine(Path.GetTempPath(), $"nt-cassette-{Guid.NewGuid():N}.jsonl");
        try
        {
            var plain = new ChatResponse(new ChatMessage(ChatRole.Assistant, "{\"action\":\"hold\"}") { AuthorName = "a", MessageId = "m1", CreatedAt = DateTimeOffset.UnixEpoch })
            {
                ResponseId = "r1",
                ConversationId = "c1",
                ModelId = "gpt-4o-mini",
                CreatedAt = DateTimeOffset.UnixEpoch.AddDays(1),
                FinishReason = ChatFinishReason.Length,
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5, TotalTokenCount = 15, CachedInputTokenCount = 3, ReasoningTokenCount = 2 },
            };
            var withCall = new ChatResponse(new ChatMessage(ChatRole.Assistant, [new TextContent("x") { AdditionalProperties = new() { ["k"] = "v" } }, new FunctionCallContent("call-1", "get_ticker")]));
            ChatMessage[] first = [new(ChatRole.User, "first")];
            ChatMessage[] second = [new(ChatRole.User, "second")];
            using (var record = CassetteChatClient.Record(path, new FixedModel([plain, withCall])))
            {
                await record.GetResponseAsync(first);
                await record.GetResponseAsync(second);
            }

            using var replay = CassetteChatClient.Replay(path);
            foreach (var (request, recorded) in new[] { (first, plain), (second, withCall) })
            {
                var once = await replay.GetResponseAsync(request);
                Assert.Equal(Json(recorded), Json(once));
                once.Messages.Add(new ChatMessage(ChatRole.Tool, "appended"));
                once.Messages[0].Contents.Add(new TextContent("appended"));
                once.Usage?.InputTokenCount = 999;
                Assert.Equal(Json(recorded), Json(await replay.GetResponseAsync(request)));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Json(ChatResponse response)
    {
        var node = JsonSerializer.SerializeToNode(response, AIJsonUtilities.DefaultOptions)!.AsObject();
        node.Remove("rawRepresentation");
        return node.ToJsonString();
    }

    private sealed class FixedModel(ChatResponse[] responses) : IChatClient
    {
        private int _next;

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(responses[_next++]);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static ChatResponseFormat? Format(string name) => name switch
    {
        "json" => ChatResponseFormat.Json,
        "text" => ChatResponseFormat.Text,
        "schema" => ChatResponseFormat.ForJsonSchema(DecisionJson.Schema, "trading_decision"),
        _ => null,
    };

    /// <summary>The key as first computed: a JSON tree of the request, written with the default options and hashed.</summary>
    private static string TreeKey(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new JsonObject
        {
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject
            {
                ["role"] = m.Role.Value,
                ["contents"] = JsonSerializer.SerializeToNode(m.Contents, AIJsonUtilities.DefaultOptions),
            }).ToArray()),
            ["model"] = options?.ModelId,
            ["temperature"] = options?.Temperature,
            ["top_p"] = options?.TopP,
            ["max_output_tokens"] = options?.MaxOutputTokens,
            ["response_format"] = options?.ResponseFormat is null ? null : JsonSerializer.SerializeToNode(options.ResponseFormat, AIJsonUtilities.DefaultOptions),
            ["tools"] = new JsonArray((options?.Tools ?? []).Select(t => (JsonNode)JsonValue.Create(t.Name)).ToArray()),
            ["tool_mode"] = options?.ToolMode?.ToString(),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.ToJsonString())));
    }
}
