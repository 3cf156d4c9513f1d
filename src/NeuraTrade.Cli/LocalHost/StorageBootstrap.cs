using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Storage;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// When storage points at a local Azurite that is not running, starts it (data kept in .azurite/ of the repository): the
/// table service, and the queue service of the fan-out when the queues are local too.
/// </summary>
internal static class StorageBootstrap
{
    public static async Task<LocalStorage?> EnsureAsync(IServiceProvider services, Action<string> report, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<TableStorageOptions>>().Value;
        var queues = services.GetService<QueueServiceTarget>()?.ConnectionString is { } queueConnection ? Azurite.LocalQueuePort(queueConnection) : null;
        var tablePort = Azurite.LocalTablePort(options.ConnectionString);
        if (tablePort is null && queues is null)
        {
            return null;
        }

        var root = Azurite.FindRepositoryRoot();
        var location = root is null
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".neuratrade", "azurite")
            : Path.Combine(root, ".azurite");
        var started = new List<Azurite>();
        try
        {
            if (tablePort is { } port)
            {
                started.Add(await StartAsync(Azurite.EnsureAsync(port, location, report, cancellationToken), "tables", port, report));
            }

            if (queues is { } queuePort)
            {
                started.Add(await StartAsync(Azurite.EnsureQueuesAsync(queuePort, location, report, cancellationToken), "queues", queuePort, report));
            }
        }
        catch
        {
            await new LocalStorage(started).DisposeAsync();
            throw;
        }

        return new LocalStorage(started);
    }

    private static async Task<Azurite> StartAsync(Task<Azurite> starting, string what, int port, Action<string> report)
    {
        var azurite = await starting;
        if (!azurite.Started)
        {
            report($"Using the Azurite {what} already listening on 127.0.0.1:{port}");
        }

        return azurite;
    }
}

/// <summary>The Azurite services this process started; stopped together.</summary>
internal sealed class LocalStorage(IReadOnlyList<Azurite> services) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        foreach (var service in services)
        {
            await service.DisposeAsync();
        }
    }
}
