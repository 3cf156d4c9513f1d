using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Storage;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>When storage points at a local Azurite that is not running, starts it (data kept in .azurite/ of the repository).</summary>
internal static class StorageBootstrap
{
    public static async Task<Azurite?> EnsureAsync(IServiceProvider services, Action<string> report, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<TableStorageOptions>>().Value;
        if (Azurite.LocalTablePort(options.ConnectionString) is not { } port)
        {
            return null;
        }

        var root = Azurite.FindRepositoryRoot();
        var location = root is null
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".neuratrade", "azurite")
            : Path.Combine(root, ".azurite");
        var azurite = await Azurite.EnsureAsync(port, location, report, cancellationToken);
        if (!azurite.Started)
        {
            report($"Using the Azurite already listening on 127.0.0.1:{port}");
        }

        return azurite;
    }
}
