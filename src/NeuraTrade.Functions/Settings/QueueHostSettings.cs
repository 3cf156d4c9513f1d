using System.Globalization;
using System.Text.Json;

namespace NeuraTrade.Functions.Settings;

/// <summary>
/// host.json's <c>extensions.queues</c>, as the Functions host applies it to every queue trigger, with the host's
/// defaults for what it leaves out. The local host polls with these; the function reads
/// <see cref="MaxDequeueCount"/> to say when a failing message goes to the poison queue. Reasoning: docs/deploy.md.
/// </summary>
public sealed record QueueHostSettings(int BatchSize, int NewBatchThreshold, TimeSpan MaxPollingInterval, TimeSpan VisibilityTimeout, int MaxDequeueCount, string MessageEncoding)
{
    /// <summary>The Functions host's defaults (for one core: newBatchThreshold is batchSize/2 per core).</summary>
    public static readonly QueueHostSettings Defaults = new(16, 8, TimeSpan.FromMinutes(1), TimeSpan.Zero, 5, "base64");

    /// <summary>The most messages one instance works on at once: a batch, plus the next one fetched at the threshold.</summary>
    public int MostAtOnce => BatchSize + NewBatchThreshold;

    /// <summary>The file next to the app (both hosts copy the repository's host.json there).</summary>
    public static QueueHostSettings ForApp() => Read(Path.Combine(AppContext.BaseDirectory, "host.json"));

    public static QueueHostSettings Read(string? hostJsonPath)
    {
        if (hostJsonPath is null || !File.Exists(hostJsonPath))
        {
            return Defaults;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!doc.RootElement.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            return Defaults;
        }

        var batch = Int(queues, "batchSize") ?? Defaults.BatchSize;
        return new QueueHostSettings(
            batch,
            Int(queues, "newBatchThreshold") ?? batch / 2,
            Span(queues, "maxPollingInterval") ?? Defaults.MaxPollingInterval,
            Span(queues, "visibilityTimeout") ?? Defaults.VisibilityTimeout,
            Int(queues, "maxDequeueCount") ?? Defaults.MaxDequeueCount,
            queues.TryGetProperty("messageEncoding", out var encoding) && encoding.ValueKind == JsonValueKind.String ? encoding.GetString()! : Defaults.MessageEncoding);
    }

    private static int? Int(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static TimeSpan? Span(JsonElement section, string name) =>
        section.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? TimeSpan.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : null;
}
