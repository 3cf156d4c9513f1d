using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Functions.Composition;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// A storage outage on demand: runs on every attempt of every storage request (after the SDK's retry policy),
/// failing it as a dropped connection would. It can also trip by itself when it sees a chosen request, and count
/// requests and transactions.
/// </summary>
public sealed class StorageOutage : HttpPipelinePolicy
{
    private int _failNext;
    private int _failed;
    private int _attempts;

    private volatile bool _down;

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    /// <summary>When set, the first request it matches brings storage down (that request fails too).</summary>
    public Func<Request, bool>? TripWhen { get; set; }

    /// <summary>Called with every request that reaches storage (after the outage check).</summary>
    public Action<Request>? Observe { get; set; }

    public int Failed => Volatile.Read(ref _failed);

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Fails the next <paramref name="count"/> attempts, then lets requests through.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Check(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Check(message);
        await ProcessNextAsync(message, pipeline);
    }

    private void Check(HttpMessage message)
    {
        Interlocked.Increment(ref _attempts);
        if (TripWhen is { } trip && trip(message.Request))
        {
            TripWhen = null;
            Down = true;
        }

        if (Down || Interlocked.Decrement(ref _failNext) >= 0)
        {
            Interlocked.Increment(ref _failed);
            throw new IOException("storage unavailable (test outage)");
        }

        Observe?.Invoke(message.Request);
    }

    /// <summary>The app as <see cref="TestApp"/> composes it, with this outage in the storage pipeline and fast retries (and its logs from Debug up in <paramref name="logs"/>).</summary>
    public IHost CreateApp(AzuriteFixture azurite, FakeTimeProvider time, IDictionary<string, string?>? settings = null, CapturedLogs? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        var config = new Dictionary<string, string?>(TestApp.Pinned)
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
            ["Storage:MaxRetries"] = "2",
            ["Storage:RetryDelay"] = "00:00:00.005",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<HttpPipelinePolicy>(this);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        }

        builder.AddNeuraTrade();
        return builder.Build();
    }
}
