using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The storage round trips of one fanned-out symbol scan (the queue-triggered function's <see cref="ScanFanOut.ScanSymbolAsync"/>),
/// counted as <c>bench scan-concurrency</c> counts a scan's (a pipeline policy on the app's table client): the bench's
/// X/BTC app with fan-out on, a model that buys some symbols and holds the others, one message per symbol in an
/// interval of an hour. The second interval's scans are held, exactly: the symbol's claim row exists by then
/// (the settled claim stays for the status), as it does in every interval but a symbol's first.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SymbolScanRoundTripTests(AzuriteFixture azurite)
{
    /// <summary>
    /// Requests of every symbol scan, counted by hand from the path: the symbol's claim (its row exists: read, then a write
    /// conditional on what was read, a merge: 2), the replay anchor (1, a row of the state table), the book in one wave: state,
    /// open positions, today's and yesterday's trades (4), the decision journaled (3: the decision, its time copy, its id
    /// pointer), the day's asked count (1: a write conditional on the state row as last read), the claim settled with the
    /// scan's outcome (1, a merge).
    /// </summary>
    private static readonly Dictionary<string, int> Fixed = new()
    {
        ["GET scanclaims"] = 1,
        ["PATCH scanclaims"] = 2,
        ["GET scalpingstate"] = 2,
        ["GET positions"] = 1,
        ["GET trades"] = 2,
        ["PUT decisions"] = 3,
        ["PUT scalpingstate"] = 1,
    };

    /// <summary>
    /// An entry's, besides: the state read again after the brain (a kill switch), the admission (the open positions read
    /// under the kept slot row, the slot written: 2), the paper venue's order (its account, one transaction), the
    /// position (1) and the slot's release (1).
    /// </summary>
    private static readonly Dictionary<string, int> Entry = new()
    {
        ["GET scalpingstate"] = 1,
        ["GET positions"] = 1,
        ["PUT entryslots"] = 2,
        ["POST $batch paperaccount"] = 1,
        ["PUT positions"] = 1,
    };

    [Fact]
    public async Task A_fanned_out_symbol_scan_makes_a_fixed_number_of_storage_round_trips_and_an_entry_a_fixed_number_more()
    {
        await using var llm = await BenchLlm.StartAsync(0, CancellationToken.None);
        llm.Buys = ScanConcurrencyBenchmark.Buys;
        using var replay = ReplayUniverse.Create(3);
        var buys = Assert.Single(replay.Symbols, ScanConcurrencyBenchmark.Buys);
        var holds = replay.Symbols.First(s => !ScanConcurrencyBenchmark.Buys(s));
        var prefix = AzuriteFixture.UniquePrefix();
        var trips = new StorageRoundTrips(prefix);
        using var host = ScanConcurrencyBenchmark.Build(
            azurite.ConnectionString, prefix, llm.Endpoint, replay.Directory, trips, new Dictionary<string, string?> { ["Scalping:FanOut"] = "on" });
        host.Services.GetRequiredService<ILlmUsageLedger>();
        var fanOut = host.Services.GetRequiredService<ScanFanOut>();
        // The first interval (the wall clock's hour) creates the tables and the claim rows and warms the process up; the second
        // (the next hour: its claim is taken as of its start, when the first's settled claims have lapsed) is the one held.
        var warm = ScanInterval.At(DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var held = new ScanInterval(warm.End, warm.End.AddHours(1));
        var counted = new Dictionary<string, IReadOnlyDictionary<string, int>>(StringComparer.Ordinal);
        foreach (var interval in new[] { warm, held })
        {
            foreach (var symbol in new[] { holds, buys })
            {
                using var scope = trips.Begin();
                var outcome = await fanOut.ScanSymbolAsync(SymbolScanRequest.For(interval, symbol), CancellationToken.None);
                Assert.Equal("scanned", outcome.Kind);
                Assert.Equal(symbol == buys, outcome.Scan!.Opened is not null);
                counted[symbol] = scope.ByKind;
            }

            // The position is closed by hand (uncounted), so the next interval enters again.
            foreach (var position in await host.Services.GetRequiredService<IPositionStore>().GetOpenAsync(CancellationToken.None))
            {
                await host.Services.GetRequiredService<ScalpingControl>().ClosePositionAsync(position.Id, CancellationToken.None);
            }
        }

        Assert.Equal(Sorted(Fixed), Sorted(counted[holds]));
        var entering = new Dictionary<string, int>(Fixed);
        foreach (var (kind, n) in Entry)
        {
            entering[kind] = entering.GetValueOrDefault(kind) + n;
        }

        Assert.Equal(Sorted(entering), Sorted(counted[buys]));
    }

    private static List<KeyValuePair<string, int>> Sorted(IEnumerable<KeyValuePair<string, int>> counts) =>
        counts.OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
}
