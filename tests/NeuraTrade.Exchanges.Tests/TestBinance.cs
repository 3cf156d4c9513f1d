using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Trading;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>The app's own exchange composition (real HttpClient, resilience pipeline) pointed at a loopback server.</summary>
internal sealed class TestBinance : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private TestBinance(ServiceProvider services, FakeTimeProvider time, CapturingLoggerProvider logs)
    {
        Services = services;
        Time = time;
        Logs = logs;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public CapturingLoggerProvider Logs { get; }

    public IExchange Exchange => Services.GetRequiredService<IExchange>();

    public static TestBinance Create(BinanceLoopbackServer? server, IDictionary<string, string?>? settings = null)
    {
        var time = new FakeTimeProvider(Now);
        var values = new Dictionary<string, string?>
        {
            ["Trading:Mode"] = "testnet",
            ["Exchange:Binance:ApiKey"] = ExchangeFixtures.ApiKey,
            ["Exchange:Binance:ApiSecret"] = ExchangeFixtures.ApiSecret,
            ["Exchange:Binance:RetryBaseDelay"] = "00:00:00",
            ["Exchange:ReplayDirectory"] = Path.Combine(AppContext.BaseDirectory, "data", "candles"),
        };
        if (server is not null)
        {
            values["Exchange:Binance:BaseUrl"] = server.BaseUrl.ToString();
            server.ServerTime = time.GetUtcNow;
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            values[k] = v;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IPaperAccountStore, RecordingPaperAccountStore>()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
            .AddNeuraTradeExchange(configuration)
            .BuildServiceProvider();
        return new TestBinance(services, time, logs);
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

/// <summary>Keeps every log line, to prove what is (not) logged.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{logLevel} {formatter(state, exception)} {exception}");
    }
}
