using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Functions.Composition;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The app as the Functions host composes it (<see cref="NeuraTradeComposition.AddNeuraTrade"/>), on real
/// Azurite, with a fake clock that drives both the engine and the candle replay.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly IHost _host;

    private TestApp(IHost host, FakeTimeProvider time)
    {
        _host = host;
        Time = time;
    }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _host.Services;

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    /// <param name="logs">When given, every log line of the app, from Debug up, also goes here.</param>
    public static TestApp Create(AzuriteFixture azurite, DateTimeOffset start, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        var time = new FakeTimeProvider(start);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        var config = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton<TimeProvider>(time);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        }

        builder.AddNeuraTrade();
        return new TestApp(builder.Build(), time);
    }

    /// <summary>
    /// The first wall time from <paramref name="from"/> (in 10 s steps, one replayed 5m candle each) at which the
    /// rules brain proposes a valid BUY for <paramref name="symbol"/> on the replayed real data.
    /// </summary>
    public static async Task<DateTimeOffset> FirstBuyMomentAsync(AzuriteFixture azurite, string symbol, DateTimeOffset from)
    {
        await using var probe = Create(azurite, from);
        var maker = probe.Get<DecisionMaker>();
        var portfolio = new PortfolioSnapshot("USDT", 10_000m, 0, false, 0m);
        for (var i = 0; i < 5_000; i++)
        {
            var market = await maker.ReadMarketAsync(symbol, CancellationToken.None);
            var decision = await maker.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Scan, CancellationToken.None);
            if (decision.Action == TradeAction.Buy && decision.Confidence >= 0.6m)
            {
                return probe.Time.GetUtcNow();
            }

            probe.Time.Advance(TimeSpan.FromSeconds(10));
        }

        throw new InvalidOperationException("the rules brain never bought in the replayed data");
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        return ValueTask.CompletedTask;
    }
}
