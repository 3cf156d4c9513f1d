using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// <c>neuratrade bench storage</c>: on a private in-memory Azurite, the time to journal 1,000 decisions in
/// per-partition transactions versus one by one, and the latency of "latest 50 for a symbol" with 10,000 stored
/// versus reading that symbol's whole partition (what a table without a newest-first key would need).
/// </summary>
internal sealed class StorageBenchmark : IBenchmark
{
    private const int Decisions = 1_000;
    private const int Stored = 10_000;
    private const int Latest = 50;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly DateTimeOffset Origin = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    public string Name => "storage";

    public string Description => "Journal 1,000 decisions batched vs one by one, and 'latest 50 for a symbol' with 10,000 stored (private Azurite).";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var port = Azurite.FreePort();
        await using var azurite = await Azurite.EnsureAsync(port, location: null, m => Console.Error.WriteLine(m), cancellationToken);
        var connection = Azurite.ConnectionString(port);

        // Warm-up: table creation, connection pool, JIT.
        await using (var warm = Build(connection))
        {
            var store = warm.GetRequiredService<TableDecisionStore>();
            await store.SaveManyAsync(Make(100, "BTC/USDT"), cancellationToken);
            foreach (var d in Make(20, "ETH/USDT"))
            {
                await store.SaveAsync(d, cancellationToken);
            }
        }

        var oneByOne = new List<double>();
        var batched = new List<double>();
        for (var r = 0; r < settings.Repeats; r++)
        {
            await using var services = Build(connection);
            var store = services.GetRequiredService<TableDecisionStore>();
            var clock = Stopwatch.StartNew();
            await store.SaveManyAsync(Make(Decisions, "BTC/USDT"), cancellationToken);
            batched.Add(clock.Elapsed.TotalMilliseconds);

            clock.Restart();
            foreach (var d in Make(Decisions, "ETH/USDT"))
            {
                await store.SaveAsync(d, cancellationToken);
            }

            oneByOne.Add(clock.Elapsed.TotalMilliseconds);
        }

        await using var big = Build(connection);
        var journal = big.GetRequiredService<TableDecisionStore>();
        await journal.SaveManyAsync(Make(Stored, "BTC/USDT"), cancellationToken);
        var latest = new List<double>();
        var whole = new List<double>();
        for (var r = 0; r < Math.Max(5, settings.Repeats * 4); r++)
        {
            var clock = Stopwatch.StartNew();
            var page = await journal.GetLatestAsync("BTC/USDT", Latest, cancellationToken);
            latest.Add(clock.Elapsed.TotalMilliseconds);
            if (page.Count != Latest || page[0].CreatedAt <= page[^1].CreatedAt)
            {
                throw new InvalidOperationException("latest 50 did not come newest first");
            }

            if (r < settings.Repeats)
            {
                clock.Restart();
                var count = 0;
                string? cursor = null;
                do
                {
                    var next = await journal.QueryAsync(new DecisionQuery("BTC/USDT", Limit: DecisionQuery.MaxLimit, Cursor: cursor), cancellationToken);
                    count += next.Decisions.Count;
                    cursor = next.NextCursor;
                }
                while (cursor is not null);

                whole.Add(clock.Elapsed.TotalMilliseconds);
                if (count < Stored)
                {
                    throw new InvalidOperationException($"read {count} of {Stored} decisions");
                }
            }
        }

        var result = new
        {
            decisions = Decisions,
            batched_ms = Median(batched),
            one_by_one_ms = Median(oneByOne),
            batched_speedup = Median(oneByOne) / Median(batched),
            stored = Stored,
            latest_50_ms = Median(latest),
            whole_partition_ms = Median(whole),
            latest_50_vs_whole_partition = Median(whole) / Median(latest),
            repeats = settings.Repeats,
        };
        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, Indented));
        }
        else
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"journal {Decisions} decisions: batched {result.batched_ms:0} ms, one by one {result.one_by_one_ms:0} ms => batched is {result.batched_speedup:0.0}x faster (median of {settings.Repeats})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latest {Latest} for a symbol with {Stored} stored: {result.latest_50_ms:0.0} ms; reading the whole partition: {result.whole_partition_ms:0} ms => {result.latest_50_vs_whole_partition:0}x"));
        }

        return 0;
    }

    private static ServiceProvider Build(string connection)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = connection,
            ["Storage:TablePrefix"] = "bench" + Guid.NewGuid().ToString("N")[..10],
        }).Build();
        return new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddNeuraTradeStorage(configuration)
            .BuildServiceProvider();
    }

    /// <summary>Realistic journal rows: a BUY with prices, reasoning of a few hundred characters, one second apart.</summary>
    private static List<TradingDecision> Make(int count, string symbol) =>
        Enumerable.Range(0, count).Select(i => new TradingDecision(
            Guid.NewGuid().ToString("N"), symbol, TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 10m, 20_000m + i, 19_900m + i, 20_150m + i, 0.72m,
            string.Concat(Enumerable.Repeat("EMA9 above EMA21, RSI 58, volume rising; ", 8)), "uptrend on 5m", "1 ATR stop", "rules-v1", 0,
            Origin.AddSeconds(i), DecisionSource.Scan, 20_000m + i)).ToList();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }
}
