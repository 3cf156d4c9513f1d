using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Storage;

namespace NeuraTrade.Infra.Tests.Storage;

/// <summary>Composes the storage layer from settings written as app settings (<c>AzureWebJobsStorage__clientId</c>), as Azure and Core Tools pass them.</summary>
internal static class StorageSettings
{
    public static IConfiguration Configuration(IReadOnlyDictionary<string, string?> settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), s.Value)))
            .Build();

    internal static TableServiceTarget Target(IReadOnlyDictionary<string, string?> settings) =>
        TableServiceTarget.Resolve(Configuration(settings));

    public static ServiceProvider Services(IReadOnlyDictionary<string, string?> settings) =>
        new ServiceCollection().AddNeuraTradeStorage(Configuration(settings)).BuildServiceProvider();

    public static TableServiceClient Client(IReadOnlyDictionary<string, string?> settings)
    {
        using var services = Services(settings);
        return services.GetRequiredService<TableServiceClient>();
    }

    /// <summary>The start-up validation's failure message, or null when the settings are valid.</summary>
    public static string? StartupError(IReadOnlyDictionary<string, string?> settings)
    {
        using var services = Services(settings);
        try
        {
            _ = services.GetRequiredService<IOptions<TableStorageOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex.Message;
        }
    }
}
