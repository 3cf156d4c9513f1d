using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Llm.Cassettes;

/// <summary>A replay asked for a request the cassette does not hold.</summary>
public sealed class CassetteMissException(string key) : Exception($"the cassette holds no response for request {key[..16]}…; record it first with --brain llm")
{
    public string Key { get; } = key;
}

/// <summary>
/// Records and replays LLM calls, so an LLM backtest can be re-run bit for bit without network or cost.
/// Every request is keyed by the SHA-256 of its canonical JSON (messages with all their contents, model id,
/// temperature, top-p, max output tokens, response format, tool names, tool mode). Recording (an inner client
/// given) answers from the cassette when it already holds the key and otherwise calls the inner client and
/// appends the response to the file at once (Ctrl-C keeps what was paid for). Replaying (no inner client) never
/// calls anything: a missing key throws <see cref="CassetteMissException"/>. The same key asked again is answered
/// with its recorded responses in order (the last one repeats), so a run at temperature > 0 replays as recorded.
/// File format: JSON Lines, <c>{"key": "…", "response": ChatResponse}</c> (docs/backtesting.md).
/// </summary>
public sealed class CassetteChatClient : IChatClient
{
    private readonly IChatClient? _inner;
    private readonly string _path;
    private readonly Dictionary<string, List<ChatResponse>> _recorded = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _served = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    private CassetteChatClient(string path, IChatClient? inner)
    {
        _path = path;
        _inner = inner;
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                var entry = JsonNode.Parse(line)!.AsObject();
                if (entry["key"] is null)
                {
                    continue; // the header
                }

                var key = entry["key"]!.GetValue<string>();
                var response = entry["response"].Deserialize<ChatResponse>(AIJsonUtilities.DefaultOptions)!;
                if (!_recorded.TryGetValue(key, out var list))
                {
                    _recorded[key] = list = [];
                }

                list.Add(response);
            }
        }
    }

    /// <summary>Calls the inner client for requests not yet on the cassette at <paramref name="path"/>, and records them.</summary>
    public static CassetteChatClient Record(string path, IChatClient inner) => new(path, inner);

    /// <summary>Answers only from the cassette at <paramref name="path"/>, which must exist.</summary>
    public static CassetteChatClient Replay(string path) =>
        File.Exists(path) ? new(path, null) : throw new FileNotFoundException($"cassette '{path}' does not exist", path);

    public const string Format = "neuratrade.cassette.v1";

    /// <summary>Starts a new cassette with its header line (format, provider, model, structured output), unless the file exists.</summary>
    public static void EnsureHeader(string path, LlmEndpoint endpoint)
    {
        if (File.Exists(path))
        {
            return;
        }

        var header = new JsonObject { ["cassette"] = Format, ["provider"] = endpoint.Provider, ["model"] = endpoint.Model, ["json_schema"] = endpoint.SupportsJsonSchema };
        File.WriteAllText(path, header.ToJsonString() + "\n");
    }

    /// <summary>The endpoint a cassette was recorded with (a replay must ask exactly as the recording did).</summary>
    public static LlmEndpoint ReadEndpoint(string path)
    {
        using var reader = new StreamReader(path);
        var first = reader.ReadLine();
        var header = first is null ? null : JsonNode.Parse(first) as JsonObject;
        if (header?["cassette"]?.GetValue<string>() != Format)
        {
            throw new InvalidDataException($"'{path}' is not a {Format} file (its first line must be the header)");
        }

        return new LlmEndpoint(header["provider"]!.GetValue<string>(), header["model"]!.GetValue<string>(), header["json_schema"]!.GetValue<bool>());
    }

    public int Hits { get; private set; }

    public int Recorded { get; private set; }

    public int Misses { get; private set; }

    public int Entries => _recorded.Values.Sum(l => l.Count);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var key = Key(list, options);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var served = _served.GetValueOrDefault(key);
            if (_recorded.TryGetValue(key, out var responses) && (served < responses.Count || _inner is null))
            {
                _served[key] = served + 1;
                Hits++;
                return Copy(responses[Math.Min(served, responses.Count - 1)]);
            }

            if (_inner is null)
            {
                Misses++;
                throw new CassetteMissException(key);
            }
        }
        finally
        {
            _lock.Release();
        }

        var response = await _inner.GetResponseAsync(list, options, cancellationToken);
        var json = JsonSerializer.SerializeToNode(response, AIJsonUtilities.DefaultOptions)!;
        json.AsObject().Remove("rawRepresentation");
        var line = new JsonObject { ["key"] = key, ["response"] = json }.ToJsonString();
        await _lock.WaitAsync(cancellationToken);
        try
        {
            await File.AppendAllTextAsync(_path, line + "\n", cancellationToken);
            var stored = json.Deserialize<ChatResponse>(AIJsonUtilities.DefaultOptions)!;
            if (!_recorded.TryGetValue(key, out var responses))
            {
                _recorded[key] = responses = [];
            }

            responses.Add(stored);
            _served[key] = _served.GetValueOrDefault(key) + 1;
            Recorded++;
            return Copy(stored);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : _inner?.GetService(serviceType, serviceKey);

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// The request's key: SHA-256 (hex) of its canonical JSON, <c>{"messages":[{"role","contents"}…],"model","temperature",
    /// "top_p","max_output_tokens","response_format","tools","tool_mode"}</c>, minified, with System.Text.Json's default
    /// escaping, each message's contents and the response format as <see cref="AIJsonUtilities.DefaultOptions"/> serialize
    /// them. It is written straight to UTF-8 (a replay asks for a key per decision): a message of plain text is written as
    /// the serializer writes it (<c>[{"$type":"text","text":…}]</c>), anything else is serialized; the response format's
    /// JSON is made once per format object. <c>CassetteKeyTests</c> holds it to the JSON tree it was first computed from.
    /// </summary>
    public static string Key(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var buffer = KeyBuffer ??= new ArrayBufferWriter<byte>(8192);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WritePropertyName("contents");
                WriteContents(writer, message.Contents);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteOrNull(writer, "model", options?.ModelId);
            WriteOrNull(writer, "temperature", options?.Temperature);
            WriteOrNull(writer, "top_p", options?.TopP);
            WriteOrNull(writer, "max_output_tokens", options?.MaxOutputTokens);
            writer.WritePropertyName("response_format");
            if (options?.ResponseFormat is { } format)
            {
                writer.WriteRawValue(FormatJson.GetValue(format, f => JsonSerializer.SerializeToNode(f, AIJsonUtilities.DefaultOptions)!.ToJsonString()), skipInputValidation: true);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteStartArray("tools");
            foreach (var tool in options?.Tools ?? [])
            {
                writer.WriteStringValue(tool.Name);
            }

            writer.WriteEndArray();
            WriteOrNull(writer, "tool_mode", options?.ToolMode?.ToString());
            writer.WriteEndObject();
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? KeyBuffer;

    /// <summary>The response format's canonical JSON, made once per format object (a brain asks with the same one every call).</summary>
    private static readonly ConditionalWeakTable<ChatResponseFormat, string> FormatJson = [];

    private static void WriteContents(Utf8JsonWriter writer, IList<AIContent> contents)
    {
        if (contents.All(c => c is TextContent { Annotations: null, AdditionalProperties: null } && c.GetType() == typeof(TextContent)))
        {
            writer.WriteStartArray();
            foreach (var content in contents)
            {
                writer.WriteStartObject();
                writer.WriteString("$type", "text");
                writer.WriteString("text", ((TextContent)content).Text);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            return;
        }

        writer.WriteRawValue(JsonSerializer.SerializeToNode(contents, AIJsonUtilities.DefaultOptions)!.ToJsonString(), skipInputValidation: true);
    }

    private static void WriteOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter writer, string name, float? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteOrNull(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>
    /// Callers may change what they get (the tool loop appends to it); the recording stays untouched. A response of plain
    /// text (what a decision gets) is copied field by field; anything else goes through its JSON.
    /// </summary>
    private static ChatResponse Copy(ChatResponse response)
    {
        if (!IsPlain(response))
        {
            return Clone(response);
        }

        var messages = new List<ChatMessage>(response.Messages.Count);
        foreach (var message in response.Messages)
        {
            var contents = new List<AIContent>(message.Contents.Count);
            foreach (var content in message.Contents)
            {
                contents.Add(new TextContent(((TextContent)content).Text));
            }

            messages.Add(new ChatMessage(message.Role, contents) { AuthorName = message.AuthorName, CreatedAt = message.CreatedAt, MessageId = message.MessageId });
        }

        var usage = response.Usage;
        return new ChatResponse(messages)
        {
            ResponseId = response.ResponseId,
            ConversationId = response.ConversationId,
            ModelId = response.ModelId,
            CreatedAt = response.CreatedAt,
            FinishReason = response.FinishReason,
            Usage = usage is null ? null : Sum(usage),
        };
    }

    /// <summary>A new usage with every count of <paramref name="usage"/> (the counts to come included: Add sums them all).</summary>
    private static UsageDetails Sum(UsageDetails usage)
    {
        var copy = new UsageDetails();
        copy.Add(usage);
        return copy;
    }

    /// <summary>Text only, nothing a field-by-field copy would miss (extra properties, annotations, a continuation).</summary>
    private static bool IsPlain(ChatResponse response) =>
        response.AdditionalProperties is null && response.ContinuationToken is null && response.Usage?.AdditionalCounts is null
        && response.Messages.All(m => m.AdditionalProperties is null
            && m.Contents.All(c => c.GetType() == typeof(TextContent) && c is TextContent { Annotations: null, AdditionalProperties: null }));

    /// <summary>A copy through the response's JSON, for responses that are not plain text.</summary>
    private static ChatResponse Clone(ChatResponse response) =>
        JsonSerializer.SerializeToNode(response, AIJsonUtilities.DefaultOptions).Deserialize<ChatResponse>(AIJsonUtilities.DefaultOptions)!;
}
