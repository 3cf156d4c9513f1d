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

    /// <summary>
    /// The wall instant every test app shows the replay's first candle at: two hours before the tests' usual start
    /// (2026-03-02 10:00), so at ×30 the tests start 60 market hours into the data, with history for the indicators.
    /// </summary>
    public static readonly DateTimeOffset ReplayAnchor = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The hold time every test app runs with unless a test sets its own: one candle of the tests' 5m data.</summary>
    public static readonly TimeSpan PinnedHold = TimeSpan.FromMinutes(5);

    /// <summary>
    /// What every test app pins, over the app's defaults (set a key to null in a test's settings to get the default back):
    /// one replay anchor for every app of a test (each has its own tables), so the same wall time shows the same market;
    /// the bundled 5m candles (BTC/USDT and the X/BTC markets) at 30 market seconds per wall second, one candle per 10 s
    /// step; and a hold of one such candle (a shorter hold is refused at start).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Pinned { get; } = new Dictionary<string, string?>
    {
        ["Exchange:ReplayAnchor"] = ReplayAnchor.ToString("O"),
        ["Exchange:ReplayDirectory"] = "data/candles",
        ["Exchange:ReplaySpeed"] = "30",
        ["Scalping:PositionHoldTime"] = PinnedHold.ToString("c"),
    };

    /// <summary>The wall clock (the replay's market clock runs <c>Exchange:ReplaySpeed</c> times faster from <see cref="ReplayAnchor"/>).</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>
    /// The market time the replay shows at wall time <paramref name="wall"/>, worked out here by hand rather than by the
    /// app: the first candle of the bundled BTC/USDT file (the traded symbols' earliest data) plus the wall time since
    /// <see cref="ReplayAnchor"/> times the default speed of 30.
    /// </summary>
    public static DateTimeOffset MarketTimeAt(DateTimeOffset wall, DateTimeOffset? anchor = null) => BtcFirstCandle + ((wall - (anchor ?? ReplayAnchor)) * 30);

    private static readonly DateTimeOffset BtcFirstCandle = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "candles", "BTC_USDT-5m.csv")).Skip(1).First().Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The app's market clock (the engine's TimeProvider).</summary>
    public TimeProvider Market => _host.Services.GetRequiredService<TimeProvider>();

    public IServiceProvider Services => _host.Services;

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    /// <param name="logs">When given, every log line of the app, from Debug up, also goes here.</param>
    /// <param name="configure">More configuration sources over the settings (settings files, as <c>--config</c> adds them).</param>
    /// <param name="services">Last changes to the app's services (a port replaced by one that fails in a precise way).</param>
    public static TestApp Create(AzuriteFixture azurite, DateTimeOffset start, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var time = new FakeTimeProvider(start);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        var config = new Dictionary<string, string?>(Pinned)
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
            [NeuraTrade.Core.Scalping.ScalpingOptions.ScanQueueSetting] = AzuriteFixture.UniqueQueue(),

            // Tests call analyze and decision hundreds of times as one client: only the rate-limit tests turn the limit on.
            ["RateLimits:PerMinute"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            // Null unsets the key (a null value would bind as zero).
            if (value is null)
            {
                config.Remove(key);
            }
            else
            {
                config[key] = value;
            }
        }

        builder.Configuration.AddInMemoryCollection(config);
        configure?.Invoke(builder.Configuration);
        builder.Services.AddSingleton<TimeProvider>(time);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        }

        builder.AddNeuraTrade();
        services?.Invoke(builder.Services);
        return new TestApp(builder.Build(), time);
    }

    /// <summary>
    /// The app with its own defaults for what <see cref="Pinned"/> sets (the minute replay at its default speed and the
    /// default hold), the anchor still pinned; <paramref name="settings"/> over them.
    /// </summary>
    public static TestApp CreateWithDefaults(AzuriteFixture azurite, DateTimeOffset start, IDictionary<string, string?>? settings = null, Action<IConfigurationBuilder>? configure = null)
    {
        var defaults = Pinned.Keys.Where(k => k != "Exchange:ReplayAnchor").ToDictionary(k => k, _ => (string?)null);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            defaults[key] = value;
        }

        return Create(azurite, start, defaults, configure: configure);
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
