using Azure.Identity;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Configuration;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Storage;

/// <summary>
/// The fan-out queue (Azure Storage queue named by <c>ScalpingScanQueue</c>): one message per symbol, the request as
/// JSON, base64-encoded as the Functions queue trigger reads it (host.json <c>messageEncoding</c>). Created once per
/// process on first use.
/// </summary>
public sealed class QueueSymbolScanQueue(QueueClient queue, QueueClient poison) : ISymbolScanQueue
{
    private readonly Lazy<Task> _created = new(() => queue.CreateIfNotExistsAsync());
    private readonly Lazy<Task> _poisonCreated = new(() => poison.CreateIfNotExistsAsync());

    /// <summary>Where the Functions host moves a message that failed <c>maxDequeueCount</c> times: <c>{queue}-poison</c>.</summary>
    public static string PoisonName(string queueName) => queueName + "-poison";

    public QueueClient Client => queue;

    public string PoisonQueueName => poison.Name;

    /// <summary>Moves a message no retry can mend (malformed) to the poison queue, as it was.</summary>
    public async Task PoisonAsync(QueueMessage message, string reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        await _poisonCreated.Value;
        await poison.SendMessageAsync(ScanMessageText.Of(message), cancellationToken);
    }

    public async Task EnqueueAsync(IReadOnlyList<SymbolScanRequest> requests, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        await _created.Value;

        // Sent together: the interval's symbols are all on the queue within one round trip's time.
        await Task.WhenAll(requests.Select(r => queue.SendMessageAsync(r.ToJson(), visibilityTimeout: null, timeToLive, cancellationToken)));
    }
}

/// <summary>The text of a fan-out message: JSON as sent; a base64 body (read by a client that does not decode) is decoded first.</summary>
public static class ScanMessageText
{
    public static string Of(QueueMessage message)
    {
        var text = message.Body?.ToString() ?? string.Empty;
        if (text.TrimStart().StartsWith('{'))
        {
            return text;
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out var written) ? System.Text.Encoding.UTF8.GetString(bytes, 0, written) : text;
    }
}

/// <summary>
/// Where the fan-out queue lives: where the Functions host reads its queue trigger, <c>AzureWebJobsStorage</c> (a
/// connection string, or identity-based with <c>__queueServiceUri</c> or <c>__accountName</c> and <c>__clientId</c>, as
/// the Bicep sets it); without it (the local host, the tests), the account of <c>Storage:ConnectionString</c>; without
/// that, the local Azurite (<c>UseDevelopmentStorage=true</c>, queues on 127.0.0.1:10001).
/// </summary>
public sealed record QueueServiceTarget(string? ConnectionString, Uri? ServiceUri, string? ManagedIdentityClientId)
{
    public const string HostStorageKey = "AzureWebJobsStorage";

    public static QueueServiceTarget Resolve(IConfiguration configuration)
    {
        var clientId = configuration[HostStorageKey + ":clientId"] is { } id && !string.IsNullOrWhiteSpace(id) ? id.Trim() : null;
        if (configuration[HostStorageKey] is { } host && host.Contains('=', StringComparison.Ordinal))
        {
            return new QueueServiceTarget(host, null, null);
        }

        if (configuration[HostStorageKey + ":queueServiceUri"] is { } uri && !string.IsNullOrWhiteSpace(uri))
        {
            return new QueueServiceTarget(null, Https(uri, HostStorageKey + "__queueServiceUri"), clientId);
        }

        if (configuration[HostStorageKey + ":accountName"] is { } account && !string.IsNullOrWhiteSpace(account))
        {
            return new QueueServiceTarget(null, Https($"https://{account.Trim()}.queue.core.windows.net", HostStorageKey + "__accountName"), clientId);
        }

        return configuration[TableServiceTarget.ConnectionStringKey] is { } own && own.Contains('=', StringComparison.Ordinal)
            ? new QueueServiceTarget(own, null, null)
            : new QueueServiceTarget(TableServiceTarget.DevelopmentStorage, null, null);
    }

    /// <summary>The fan-out queue and its poison queue.</summary>
    public QueueSymbolScanQueue CreateScanQueue(string queueName) => new(CreateClient(queueName), CreateClient(QueueSymbolScanQueue.PoisonName(queueName)));

    /// <summary>The queue's client, base64 messages (what the Functions queue trigger expects by default).</summary>
    public QueueClient CreateClient(string queueName)
    {
        var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        return ServiceUri is not null
            ? new QueueClient(new Uri(ServiceUri, queueName), Credential(), options)
            : new QueueClient(ConnectionString, queueName, options);
    }

    private DefaultAzureCredential Credential() => new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ManagedIdentityClientId });

    private static Uri Https(string value, string key) =>
        Uri.TryCreate(value.Trim().TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
            ? uri
            : throw new InvalidOperationException($"{key} must give an https queue endpoint such as https://<account>.queue.core.windows.net, not '{value}'.");
}
