using System.Net;
using System.Net.Sockets;
using NeuraTrade.Cli.LocalHost;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// One real Azurite (tables and queues, in memory) for the whole test run, on a free loopback port, started from the
/// repository's pinned npm package. Tests isolate themselves with a unique table prefix.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private Azurite? _queues;

    public string ConnectionString { get; private set; } = string.Empty;

    public int Port { get; private set; }

    public int QueuePort { get; private set; }

    public async Task InitializeAsync()
    {
        Port = Azurite.FreePort();
        _azurite = await Azurite.EnsureAsync(Port, location: null, _ => { }, CancellationToken.None);
        QueuePort = Azurite.FreePort();
        _queues = await Azurite.EnsureQueuesAsync(QueuePort, location: null, _ => { }, CancellationToken.None);
        ConnectionString = Azurite.ConnectionString(Port, QueuePort);
    }

    public async Task DisposeAsync()
    {
        if (_queues is not null)
        {
            await _queues.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }

    /// <summary>A table prefix no other test uses.</summary>
    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A queue name no other test uses (lowercase letters, digits and hyphens).</summary>
    public static string UniqueQueue() => "q" + Guid.NewGuid().ToString("N")[..12];
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
