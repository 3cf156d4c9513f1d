using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>Registers the Table Storage stores (settings section <c>Storage</c>, falling back to <c>AzureWebJobsStorage</c>).</summary>
public static class StorageComposition
{
    public static IServiceCollection AddNeuraTradeStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TableStorageOptions>()
            .Configure(o => o.ConnectionString = StorageConnectionString(configuration) ?? o.ConnectionString)
            .Bind(configuration.GetSection(TableStorageOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddSingleton(sp => new TableServiceClient(sp.GetRequiredService<IOptions<TableStorageOptions>>().Value.ConnectionString));
        services.AddSingleton<TableStore>();
        services.AddSingleton<IDecisionStore, TableDecisionStore>();
        services.AddSingleton<IPositionStore, TablePositionStore>();
        services.AddSingleton<IScalpingStateStore, TableScalpingStateStore>();
        services.AddSingleton<IPaperAccountStore, TablePaperAccountStore>();
        services.AddSingleton<ILlmUsageLedger, TableLlmUsageLedger>();
        return services;
    }

    /// <summary><c>Storage:ConnectionString</c>, else the Functions host's <c>AzureWebJobsStorage</c>.</summary>
    private static string? StorageConnectionString(IConfiguration configuration) =>
        configuration[$"{TableStorageOptions.Section}:ConnectionString"] is { Length: > 0 } own ? own
            : configuration["AzureWebJobsStorage"] is { Length: > 0 } jobs ? jobs : null;
}
