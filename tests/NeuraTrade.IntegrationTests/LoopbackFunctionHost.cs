using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli.LocalHost;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>neuratrade serve</c>'s host on a free loopback port over the shared Azurite (tables under a prefix of its own),
/// with an <see cref="HttpClient"/> for its address: what the HTTP tests start and stop around each class.
/// </summary>
internal sealed class LoopbackFunctionHost : IAsyncDisposable
{
    private LoopbackFunctionHost(WebApplication app, HttpClient http)
    {
        App = app;
        Http = http;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    /// <param name="settings">More settings over the storage ones (the timer's schedule, for instance).</param>
    /// <param name="services">Last changes to the app's services (a port replaced by one that fails in a precise way).</param>
    public static async Task<LoopbackFunctionHost> StartAsync(AzuriteFixture azurite, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),

            // The fan-out queue of its own too: the host polls it, and the queues are shared by every test.
            [NeuraTrade.Core.Scalping.ScalpingOptions.ScanQueueSetting] = AzuriteFixture.UniqueQueue(),

            // Every request of a test comes from 127.0.0.1, one client: only the rate-limit tests turn the limit on.
            ["RateLimits:PerMinute"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = LocalFunctionHost.Build("http://127.0.0.1:0", config => config.AddInMemoryCollection(all), services);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackFunctionHost(app, new HttpClient { BaseAddress = new Uri(address) });
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
