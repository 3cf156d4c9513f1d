using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The storage round trips of <c>bench scan-concurrency</c>'s scan, counted as the bench counts them (a pipeline policy
/// on the app's table client): ten X/BTC symbols, a model that buys three of them, the positions closed by hand between
/// scans. The count is a property of the code path, so it is held here exactly: a change that adds a request to the
/// scan's path shows up as a failing count (and one that removes requests updates it).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScanRoundTripTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_scan_of_ten_symbols_with_three_entries_makes_a_fixed_number_of_storage_round_trips()
    {
        await using var llm = await BenchLlm.StartAsync(0, CancellationToken.None);
        llm.Buys = ScanConcurrencyBenchmark.Buys;
        using var replay = ReplayUniverse.Create(ScanConcurrencyBenchmark.SymbolCount);
        var prefix = AzuriteFixture.UniquePrefix();
        var trips = new StorageRoundTrips(prefix);
        using var host = ScanConcurrencyBenchmark.Build(azurite.ConnectionString, prefix, llm.Endpoint, replay.Directory, trips);
        host.Services.GetRequiredService<ILlmUsageLedger>();

        // The first scan creates the tables and warms the process up; the second is the one held.
        await ScanConcurrencyBenchmark.CountedScanAsync(host, trips, CancellationToken.None);
        var scan = await ScanConcurrencyBenchmark.CountedScanAsync(host, trips, CancellationToken.None);

        Assert.Equal(10, scan.Symbols);
        Assert.Equal(3, scan.Entries);
        var expected = new Dictionary<string, int>
        {
            ["DELETE scanclaims"] = 1,
            ["GET entryslots"] = 6,
            ["GET positions"] = 8,
            ["GET scalpingstate"] = 7,
            ["GET trades"] = 14,
            ["POST $batch paperaccount"] = 3,
            ["POST scanclaims"] = 1,
            ["PUT decisions"] = 9,
            ["PUT entryslots"] = 6,
            ["PUT positions"] = 3,
            ["PUT scalpingstate"] = 1,
        };
        Assert.Equal(expected, scan.ByKind.Where(k => k.Key != "POST $batch decisions").ToDictionary());

        // The seven holds go in one batch, one transaction per partition: their symbols', then their time copies' and id
        // pointers' partitions, which follow the (random) decision ids' hash buckets; so the count is computed from the ids.
        var journal = host.Services.GetRequiredService<IDecisionStore>();
        var holds = new List<TradingDecision>();
        foreach (var symbol in replay.Symbols.Where(s => !ScanConcurrencyBenchmark.Buys(s)))
        {
            holds.Add((await journal.GetLatestAsync(symbol, 1, CancellationToken.None))[0]);
        }

        Assert.All(holds, h => Assert.Equal(TradeAction.Hold, h.Action));
        var transactions = holds.Select(h => h.Symbol).Distinct().Count()
            + holds.Select(h => TableDecisionStore.TimePartition(h.CreatedAt, h.Strategy, h.Id)).Distinct().Count()
            + holds.Select(h => TableDecisionStore.IdPartition(h.Id)).Distinct().Count();
        Assert.Equal(transactions, scan.ByKind["POST $batch decisions"]);
        Assert.Equal(expected.Values.Sum() + transactions, scan.RoundTrips);
    }
}
