using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The storage round trips of <c>bench scan-concurrency</c>'s scan, counted as the bench counts them (a pipeline policy
/// on the app's table client): X/BTC symbols on one clock, a model that buys some of them, the positions closed by hand
/// between scans. The count is a property of the code path, so it is held here exactly, for 3 symbols (1 entry) and for
/// 10 (3 entries): the same fixed requests whatever the number of symbols, the entries' admission once (however many
/// entries) and a fixed number per entry; the decisions are journaled behind the scan, off its path. A read per symbol coming back (state, positions, trades for every symbol) fails both counts; a request added
/// to the path fails them too (and one removed updates them).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScanRoundTripTests(AzuriteFixture azurite)
{
    /// <summary>
    /// Requests per scan besides the entries and the journal, counted by hand from the scan's path: the scan claim and its
    /// release (2), the replay anchor (1, a row of the state table), the book in one wave: state, open positions, today's
    /// and yesterday's trades (4), the state read again between the brain and the entries (1), the scan's record (1: a
    /// write conditional on the state row as last read, no read before it).
    /// </summary>
    private static readonly Dictionary<string, int> Fixed = new()
    {
        ["POST scanclaims"] = 1,
        ["DELETE scanclaims"] = 1,
        ["GET scalpingstate"] = 3,
        ["GET positions"] = 1,
        ["GET trades"] = 2,
        ["PUT scalpingstate"] = 1,
    };

    /// <summary>
    /// Requests for a scan's entries together, once: the admission reads the open positions under its kept slot row and
    /// writes every entry's slot in one step (2), and the release writes the row once for all of them (1).
    /// </summary>
    private static readonly Dictionary<string, int> Admission = new()
    {
        ["GET positions"] = 1,
        ["PUT entryslots"] = 2,
    };

    /// <summary>
    /// Requests per entry: the paper venue's order (its account, one transaction) and the position (1). Its decision is
    /// journaled behind the scan with the others.
    /// </summary>
    private static readonly Dictionary<string, int> PerEntry = new()
    {
        ["POST $batch paperaccount"] = 1,
        ["PUT positions"] = 1,
    };

    /// <summary>
    /// With the learning statistics on (<c>AI:AdaptiveMinConfidence</c>): one read of the strategy's recent outcomes per
    /// scan (one partition, one page here), shared by every symbol's pause check and every entry's adaptive minimum.
    /// </summary>
    private static readonly Dictionary<string, int> Learning = new()
    {
        ["GET outcomes"] = 1,
    };

    [Theory]
    [InlineData(3, 1, false)]
    [InlineData(10, 3, false)]
    [InlineData(3, 1, true)]
    [InlineData(10, 3, true)]
    public async Task A_scan_makes_a_fixed_number_of_storage_round_trips_plus_a_fixed_number_per_entry(int symbols, int buys, bool learning)
    {
        await using var llm = await BenchLlm.StartAsync(0, CancellationToken.None);
        llm.Buys = ScanConcurrencyBenchmark.Buys;
        using var replay = ReplayUniverse.Create(symbols);
        Assert.Equal(buys, replay.Symbols.Count(ScanConcurrencyBenchmark.Buys));
        var prefix = AzuriteFixture.UniquePrefix();
        var trips = new StorageRoundTrips(prefix);
        using var host = ScanConcurrencyBenchmark.Build(
            azurite.ConnectionString, prefix, llm.Endpoint, replay.Directory, trips, learning ? new Dictionary<string, string?> { ["AI:AdaptiveMinConfidence"] = "true" } : null);
        host.Services.GetRequiredService<ILlmUsageLedger>();

        // The first scan creates the tables and warms the process up; the second is the one held.
        await ScanConcurrencyBenchmark.CountedScanAsync(host, trips, CancellationToken.None);
        var scan = await ScanConcurrencyBenchmark.CountedScanAsync(host, trips, CancellationToken.None);

        Assert.Equal(symbols, scan.Symbols);
        Assert.Equal(buys, scan.Entries);
        var expected = new Dictionary<string, int>(Fixed);
        foreach (var (kind, n) in (learning ? Learning : []).Concat(Admission))
        {
            expected[kind] = expected.GetValueOrDefault(kind) + n;
        }
        foreach (var (kind, n) in PerEntry)
        {
            expected[kind] = expected.GetValueOrDefault(kind) + (n * buys);
        }

        Assert.Equal(
            expected.OrderBy(k => k.Key, StringComparer.Ordinal).ToList(),
            scan.ByKind.Where(k => k.Key != ScanConcurrencyBenchmark.JournalBatches).OrderBy(k => k.Key, StringComparer.Ordinal).ToList());
        Assert.Equal(ScanConcurrencyBenchmark.FixedRoundTrips, Fixed.Values.Sum());
        Assert.Equal(ScanConcurrencyBenchmark.AdmissionRoundTrips, Admission.Values.Sum());
        Assert.Equal(ScanConcurrencyBenchmark.PerEntryRoundTrips, PerEntry.Values.Sum());

        // The decisions are written behind the scan (the journal's own writer, off the scan's path): none of the scan's
        // requests, and every one of them in the journal afterwards, executed or held.
        Assert.DoesNotContain(ScanConcurrencyBenchmark.JournalBatches, scan.ByKind.Keys);
        Assert.DoesNotContain("PUT decisions", scan.ByKind.Keys);
        Assert.Equal(expected.Values.Sum(), scan.RoundTrips);
        var journal = host.Services.GetRequiredService<IDecisionStore>();
        foreach (var symbol in replay.Symbols)
        {
            var latest = Assert.Single(await journal.GetLatestAsync(symbol, 1, CancellationToken.None));
            Assert.True(latest.CreatedAt >= scan.StartedAt, $"{symbol}'s latest decision {latest.Id} is older than the scan");
            Assert.Equal(ScanConcurrencyBenchmark.Buys(symbol) ? TradeAction.Buy : TradeAction.Hold, latest.Action);
        }
    }
}
