using System.ComponentModel.DataAnnotations;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>
/// Registers the Table Storage stores. Locally a connection string (Azurite by default); in Azure the
/// table endpoint and the app's managed identity, so no account key exists anywhere. Same code, settings only.
/// </summary>
public static class StorageComposition
{
    public static IServiceCollection AddNeuraTradeStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => TableServiceTarget.Resolve(configuration));
        services.AddSingleton<IValidateOptions<TableStorageOptions>>(sp => new TableStorageValidation(sp.GetRequiredService<TableServiceTarget>()));
        services.AddOptions<TableStorageOptions>()
            .Configure<TableServiceTarget>((o, target) => o.ConnectionString = target.ConnectionString ?? string.Empty)
            .Bind(configuration.GetSection(TableStorageOptions.Section))
            .ValidateOnStart();

        services.AddSingleton(sp => sp.GetRequiredService<TableServiceTarget>().CreateClient(
            ClientOptions(sp.GetRequiredService<IOptions<TableStorageOptions>>().Value, sp.GetServices<HttpPipelinePolicy>())));
        services.AddSingleton<TableStore>();
        services.AddSingleton<TableDecisionStore>();
        services.AddSingleton<DurableDecisionJournal>();
        services.AddSingleton<IDecisionStore>(sp => sp.GetRequiredService<DurableDecisionJournal>());
        services.AddSingleton<IPositionStore, TablePositionStore>();
        services.AddSingleton<IScalpingStateStore, TableScalpingStateStore>();
        services.AddSingleton<IPaperAccountStore, TablePaperAccountStore>();
        services.AddSingleton<IAccountBaselineStore, TableAccountBaselineStore>();
        services.AddSingleton<NeuraTrade.Core.Markets.IReplayAnchorStore, TableReplayAnchorStore>();
        services.AddSingleton<TableLlmUsageLedger>();
        services.AddSingleton<ILlmUsageLedger>(sp => new WriteBehindLlmUsageLedger(
            sp.GetRequiredService<TableLlmUsageLedger>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<WriteBehindLlmUsageLedger>>()));
        services.AddSingleton<TableScanClaimStore>();
        services.AddSingleton<IScanClaimStore>(sp => sp.GetRequiredService<TableScanClaimStore>());
        services.AddSingleton<IFanOutProgress>(sp => sp.GetRequiredService<TableScanClaimStore>());
        services.AddSingleton<IEntryAdmission, TableEntryAdmission>();
        services.AddSingleton(_ => QueueServiceTarget.Resolve(configuration));
        services.AddSingleton(sp => sp.GetRequiredService<QueueServiceTarget>().CreateScanQueue(ScanQueueName(configuration)));
        services.AddSingleton<ISymbolScanQueue>(sp => sp.GetRequiredService<QueueSymbolScanQueue>());
        services.AddSingleton<NeuraTrade.Core.Learning.IOutcomeStore, TableOutcomeStore>();
        return services;
    }

    /// <summary>The fan-out queue's name: the flat setting the queue trigger reads, else the default.</summary>
    public static string ScanQueueName(IConfiguration configuration) =>
        configuration[ScalpingOptions.ScanQueueSetting] is { } name && !string.IsNullOrWhiteSpace(name) ? name.Trim() : ScalpingOptions.DefaultScanQueue;

    /// <summary>
    /// Transient failures (503, 500, 408, timeouts, dropped connections) are retried by the SDK with exponential
    /// backoff and jitter; <paramref name="policies"/> (none in the app) run on every attempt.
    /// </summary>
    internal static TableClientOptions ClientOptions(TableStorageOptions options, IEnumerable<HttpPipelinePolicy> policies)
    {
        var client = new TableClientOptions();
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.MaxRetries = options.MaxRetries;
        client.Retry.Delay = options.RetryDelay;
        client.Retry.MaxDelay = TimeSpan.FromSeconds(10);
        client.Retry.NetworkTimeout = options.NetworkTimeout;
        foreach (var policy in policies)
        {
            client.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        return client;
    }

    /// <summary>
    /// The target's error (it names the keys to set), then the data-annotation rules other than the connection
    /// string's: the target decides about that one, and with a table endpoint there is none.
    /// </summary>
    private sealed class TableStorageValidation(TableServiceTarget target) : IValidateOptions<TableStorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, TableStorageOptions options)
        {
            var failures = new List<string>();
            if (target.Error is not null)
            {
                failures.Add(target.Error);
            }

            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            failures.AddRange(results
                .Where(r => !r.MemberNames.Contains(nameof(TableStorageOptions.ConnectionString)))
                .Select(r => r.ErrorMessage ?? string.Join(", ", r.MemberNames) + " is not valid."));
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}

/// <summary>
/// Where the tables are and how to authenticate, read from settings in this order:
/// <c>Storage:ConnectionString</c>; <c>Storage:TableServiceUri</c> (identity); the Functions host's
/// <c>AzureWebJobsStorage</c> connection string; <c>AzureWebJobsStorage:tableServiceUri</c> (identity);
/// nothing at all: local Azurite (<c>UseDevelopmentStorage=true</c>).
/// </summary>
/// <remarks>
/// The app's own <c>Storage</c> section wins over the host's setting, so the app can keep its tables
/// elsewhere than the host keeps its blobs. The identity is <see cref="DefaultAzureCredential"/>: in Azure
/// the user-assigned managed identity named by <c>AzureWebJobsStorage:clientId</c> (or <c>AZURE_CLIENT_ID</c>);
/// on a developer machine the Azure CLI / Visual Studio sign-in.
/// </remarks>
internal sealed record TableServiceTarget(string? ConnectionString, Uri? ServiceUri, string? ManagedIdentityClientId, string? Error)
{
    public const string DevelopmentStorage = "UseDevelopmentStorage=true";
    public const string ConnectionStringKey = TableStorageOptions.Section + ":ConnectionString";
    public const string TableServiceUriKey = TableStorageOptions.Section + ":TableServiceUri";
    public const string HostStorageKey = "AzureWebJobsStorage";
    public const string HostTableServiceUriKey = HostStorageKey + ":tableServiceUri";
    public const string HostClientIdKey = HostStorageKey + ":clientId";
    public const string AzureClientIdKey = "AZURE_CLIENT_ID";

    private const string Keys =
        "set Storage__ConnectionString (or AzureWebJobsStorage) to a connection string, or Storage__TableServiceUri "
        + "(or AzureWebJobsStorage__tableServiceUri) to a table endpoint such as https://<account>.table.core.windows.net to use the managed identity";

    public bool UsesIdentity => ServiceUri is not null;

    public static TableServiceTarget Resolve(IConfiguration configuration)
    {
        var own = configuration[ConnectionStringKey];
        var ownUri = configuration[TableServiceUriKey];
        if (Has(own) && Has(ownUri))
        {
            return Failed($"Storage:ConnectionString and Storage:TableServiceUri are both set; keep one: {Keys}.");
        }

        if (Has(own))
        {
            return FromConnectionString(own!, ConnectionStringKey);
        }

        if (Has(ownUri))
        {
            return FromServiceUri(ownUri!, TableServiceUriKey, configuration);
        }

        if (configuration[HostStorageKey] is { } host && Has(host))
        {
            return FromConnectionString(host, HostStorageKey);
        }

        if (configuration[HostTableServiceUriKey] is { } hostUri && Has(hostUri))
        {
            return FromServiceUri(hostUri, HostTableServiceUriKey, configuration);
        }

        if (configuration.GetSection(HostStorageKey).GetChildren().Any())
        {
            // Identity-based host storage (accountName/credential) says nothing about where the tables are.
            return Failed($"AzureWebJobsStorage uses an identity but no table endpoint is set: {Keys}.");
        }

        return own is not null
            ? Failed($"Storage:ConnectionString is empty: {Keys}.")
            : new TableServiceTarget(DevelopmentStorage, null, null, null);
    }

    /// <summary>Builds the client. No network call: the credential fetches a token on the first request.</summary>
    public TableServiceClient CreateClient(TableClientOptions? options = null)
    {
        if (Error is not null)
        {
            throw new InvalidOperationException(Error);
        }

        return ServiceUri is not null
            ? new TableServiceClient(ServiceUri, CreateCredential(), options)
            : new TableServiceClient(ConnectionString, options);
    }

    public TokenCredential CreateCredential() =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ManagedIdentityClientId });

    private static TableServiceTarget FromConnectionString(string value, string key) =>
        value.Contains('=', StringComparison.Ordinal)
            ? new TableServiceTarget(value, null, null, null)
            : Failed($"{key} is not a connection string (expected Name=Value pairs such as {DevelopmentStorage}): {Keys}.");

    private static TableServiceTarget FromServiceUri(string value, string key, IConfiguration configuration)
    {
        // Bearer tokens are only ever sent over TLS (the SDK refuses plain http for token credentials).
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            return Failed($"{key} must be an https table endpoint such as https://<account>.table.core.windows.net, not '{value}'.");
        }

        var clientId = configuration[HostClientIdKey] is { } hostClientId && Has(hostClientId) ? hostClientId.Trim()
            : configuration[AzureClientIdKey] is { } azureClientId && Has(azureClientId) ? azureClientId.Trim()
            : null;
        return new TableServiceTarget(null, uri, clientId, null);
    }

    private static TableServiceTarget Failed(string error) => new(null, null, null, error);

    private static bool Has(string? value) => !string.IsNullOrWhiteSpace(value);
}
