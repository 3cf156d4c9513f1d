using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>Storage failing under the app: retried when brief, and when it lasts no new order and no lost decision.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageOutageTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string?> BtcOnly = new() { ["Scalping:Symbols"] = "BTC/USDT" };

    [Fact]
    public async Task A_brief_storage_failure_is_retried_and_the_write_succeeds()
    {
        var outage = new StorageOutage();
        using var host = outage.CreateApp(azurite, new FakeTimeProvider(Start));
        var store = host.Services.GetRequiredService<IDecisionStore>();
        await store.GetLatestAsync("BTC/USDT", 1, CancellationToken.None);

        outage.FailNext(2);
        await store.SaveAsync(DecisionJournalTests.Decision("r1", "BTC/USDT", TradingStrategy.Scalping, Start), CancellationToken.None);

        Assert.Equal(2, outage.Failed);
        Assert.Equal(0, host.Services.GetRequiredService<DurableDecisionJournal>().PendingCount);
        Assert.NotNull(await store.GetByIdAsync("r1", CancellationToken.None));
    }

    [Fact]
    public async Task Decisions_made_while_storage_is_down_are_held_and_journaled_when_it_returns()
    {
        var outage = new StorageOutage();
        using var host = outage.CreateApp(azurite, new FakeTimeProvider(Start));
        var store = host.Services.GetRequiredService<IDecisionStore>();
        var journal = host.Services.GetRequiredService<DurableDecisionJournal>();
        await store.GetLatestAsync("BTC/USDT", 1, CancellationToken.None);

        outage.Down = true;
        for (var i = 0; i < 3; i++)
        {
            await store.SaveAsync(DecisionJournalTests.Decision($"h{i}", "BTC/USDT", TradingStrategy.Scalping, Start.AddSeconds(i)), CancellationToken.None);
        }

        Assert.Equal(3, journal.PendingCount);
        await Assert.ThrowsAnyAsync<Exception>(() => store.GetLatestAsync("BTC/USDT", 10, CancellationToken.None));

        outage.Down = false;
        await store.SaveAsync(DecisionJournalTests.Decision("h3", "BTC/USDT", TradingStrategy.Scalping, Start.AddSeconds(3)), CancellationToken.None);

        Assert.Equal(0, journal.PendingCount);
        Assert.Equal(["h3", "h2", "h1", "h0"], (await store.GetLatestAsync("BTC/USDT", 10, CancellationToken.None)).Select(d => d.Id));
    }

    [Fact]
    public async Task Decisions_saved_behind_return_at_once_and_the_journal_writes_them_alone()
    {
        var (outage, host, journal, stored) = await JournalAppAsync();
        using var app = host;
        using var held = new ManualResetEventSlim();
        outage.Observe = r => _ = r.Uri.Path.Contains("decisions", StringComparison.Ordinal) && held.Wait(TimeSpan.FromSeconds(30));

        // Every journal write is held up, yet the save returns: the caller never waits for them.
        await journal.SaveBehindAsync([DecisionJournalTests.Decision("b1", "BTC/USDT", TradingStrategy.Scalping, Start), DecisionJournalTests.Decision("b2", "ETH/USDT", TradingStrategy.Scalping, Start)], CancellationToken.None);
        Assert.Equal(2, journal.PendingCount);

        held.Set();
        await journal.DrainAsync();
        Assert.Equal(0, journal.PendingCount);

        // Read past the journal (no flush before the read): in storage.
        Assert.NotNull(await stored.GetByIdAsync("b1", CancellationToken.None));
        Assert.NotNull(await stored.GetByIdAsync("b2", CancellationToken.None));
    }

    [Fact]
    public async Task A_decision_saved_behind_is_read_at_once_and_one_held_by_an_outage_is_written_on_disposal()
    {
        var (outage, host, journal, stored) = await JournalAppAsync();
        using var app = host;

        // A read right after the save finds it, whether the writer behind got to it first or the read writes it first.
        await journal.SaveBehindAsync([DecisionJournalTests.Decision("r1", "BTC/USDT", TradingStrategy.Scalping, Start)], CancellationToken.None);
        Assert.Equal("r1", Assert.Single(await journal.GetLatestAsync("BTC/USDT", 10, CancellationToken.None)).Id);

        // Storage down: the writer behind holds it; back up, the host stopping (disposal) writes it.
        outage.Down = true;
        await journal.SaveBehindAsync([DecisionJournalTests.Decision("r2", "BTC/USDT", TradingStrategy.Scalping, Start.AddSeconds(1))], CancellationToken.None);
        await journal.DrainAsync();
        Assert.Equal(1, journal.PendingCount);
        outage.Down = false;
        await journal.DisposeAsync();

        Assert.Equal(0, journal.PendingCount);
        Assert.NotNull(await stored.GetByIdAsync("r2", CancellationToken.None));
    }

    [Fact]
    public async Task Past_its_capacity_a_save_behind_is_written_at_once_and_fails_loudly_while_storage_is_down()
    {
        var (outage, host, journal, stored) = await JournalAppAsync();
        using var app = host;
        var full = Enumerable.Range(0, DurableDecisionJournal.Capacity).Select(i => DecisionJournalTests.Decision($"c{i}", "BTC/USDT", TradingStrategy.Scalping, Start.AddSeconds(i))).ToList();

        outage.Down = true;
        await journal.SaveBehindAsync(full, CancellationToken.None);
        await journal.DrainAsync();
        Assert.Equal(DurableDecisionJournal.Capacity, journal.PendingCount);

        // One more cannot be queued: it is saved at once, and with storage down that save refuses it loudly, dropping none.
        var more = DecisionJournalTests.Decision("c-more", "BTC/USDT", TradingStrategy.Scalping, Start.AddHours(1));
        await Assert.ThrowsAsync<InvalidOperationException>(() => journal.SaveBehindAsync([more], CancellationToken.None));
        Assert.Equal(DurableDecisionJournal.Capacity, journal.PendingCount);

        // Storage back: the same save writes the queue first, then itself.
        outage.Down = false;
        await journal.SaveBehindAsync([more], CancellationToken.None);
        Assert.Equal(0, journal.PendingCount);
        Assert.NotNull(await stored.GetByIdAsync("c0", CancellationToken.None));
        Assert.NotNull(await stored.GetByIdAsync("c-more", CancellationToken.None));
    }

    [Fact]
    public async Task Storage_outage_before_an_entry_places_no_order()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);

        // Control: at this moment, with storage up, the scan buys.
        await using (var control = TestApp.Create(azurite, buyAt, BtcOnly))
        {
            var report = await control.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
            Assert.NotNull(Assert.Single(report.Symbols).Opened);
        }

        // Storage goes down when the entry admission reads the open positions, after the brain decided to buy: the scan
        // reads them once at its start (its book) and the first scan's reconciliation once; the 3rd read is the
        // admission's, just before an order.
        var outage = new StorageOutage();
        var positionReads = 0;
        outage.TripWhen = r => r.Method == RequestMethod.Get && r.Uri.Path.Contains("positions(", StringComparison.Ordinal) && Interlocked.Increment(ref positionReads) == 3;
        var logs = new CapturedLogs();
        using var host = outage.CreateApp(azurite, new FakeTimeProvider(buyAt), BtcOnly, logs);
        var journal = host.Services.GetRequiredService<DurableDecisionJournal>();

        // The scan's record fails (storage is down); its decision, journaled behind the scan, is held.
        await Assert.ThrowsAnyAsync<Exception>(() => host.Services.GetRequiredService<ScalpingEngine>().RunScanAsync(CancellationToken.None));
        await journal.DrainAsync();

        Assert.True(outage.Down);
        Assert.Equal(1, journal.PendingCount);

        // An outage is expected and handled: each failure is one line with the reason; the stacks are at Debug.
        var loud = logs.AtLeast(LogLevel.Warning);
        Assert.All(loud, e => Assert.True(e.Exception is null && !e.Text.Contains('\n', StringComparison.Ordinal), e.Text));
        var skipped = Assert.Single(loud, e => e.Message.StartsWith("Entries of this scan skipped: their admission failed", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, skipped.Level);
        Assert.EndsWith("IOException: storage unavailable (test outage)", skipped.Message, StringComparison.Ordinal);
        Assert.Contains(loud, e => e.EventId.Name == "JournalBehindHeld" && e.Message.Contains("IOException: storage unavailable (test outage)", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Debug && e.Message == skipped.Message && e.Text.Contains("   at ", StringComparison.Ordinal));

        outage.Down = false;
        Assert.Empty(await host.Services.GetRequiredService<IPositionStore>().GetOpenAsync(CancellationToken.None));
        var account = await host.Services.GetRequiredService<IPaperAccountStore>().LoadAsync(CancellationToken.None);
        Assert.True(account is null || account.OrdersByClientId.Count == 0, "an order was placed during the outage");

        // The decision the brain made is not lost: journaled when storage returned, as a HOLD saying why.
        var decision = Assert.Single(await host.Services.GetRequiredService<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        Assert.Equal(0, journal.PendingCount);
        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal("buy", decision.ProposedAction);
        Assert.StartsWith("entries stopped this scan", decision.HoldReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_outage_after_an_entry_loses_no_decision()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        var outage = new StorageOutage
        {
            // Storage goes down just as the journal writes the scan's decision (after the order and the open position).
            TripWhen = r => r.Method == RequestMethod.Put && r.Uri.Path.Contains("decisions(", StringComparison.Ordinal),
        };
        using var host = outage.CreateApp(azurite, new FakeTimeProvider(buyAt), BtcOnly);
        var journal = host.Services.GetRequiredService<DurableDecisionJournal>();

        // The decision is journaled behind the scan, so the scan's own last write (its record) races the journal's writer
        // for the outage: the scan ends with the storage failure or just before it. Either way the decision is held.
        var failure = await Record.ExceptionAsync(() => host.Services.GetRequiredService<ScalpingEngine>().RunScanAsync(CancellationToken.None));
        await journal.DrainAsync();

        Assert.True(failure is null || StorageFailure.IsTransient(failure, CancellationToken.None), failure?.ToString());
        Assert.True(outage.Down);
        Assert.Equal(1, journal.PendingCount);
        outage.Down = false;
        var position = Assert.Single(await host.Services.GetRequiredService<IPositionStore>().GetOpenAsync(CancellationToken.None));
        var decision = await host.Services.GetRequiredService<IDecisionStore>().GetByIdAsync(position.DecisionId, CancellationToken.None);
        Assert.NotNull(decision);
        Assert.Equal(TradeAction.Buy, decision.Action);
        Assert.Equal(TestApp.MarketTimeAt(buyAt), decision.ExecutedAt);
        Assert.Equal(0, journal.PendingCount);
    }

    /// <summary>
    /// An app whose storage goes through a <see cref="StorageOutage"/>, its journal (its table read once, so it exists), and
    /// a store that reads past the journal (no flush before a read): what is there is in storage.
    /// </summary>
    private async Task<(StorageOutage Outage, IHost Host, DurableDecisionJournal Journal, TableDecisionStore Stored)> JournalAppAsync()
    {
        var outage = new StorageOutage();
        var host = outage.CreateApp(azurite, new FakeTimeProvider(Start));
        var journal = host.Services.GetRequiredService<DurableDecisionJournal>();
        await journal.GetLatestAsync("BTC/USDT", 1, CancellationToken.None);
        return (outage, host, journal, new TableDecisionStore(host.Services.GetRequiredService<TableStore>(), TimeProvider.System));
    }
}
