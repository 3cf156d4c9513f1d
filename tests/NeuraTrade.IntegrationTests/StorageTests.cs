using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

[Collection(AzuriteCollection.Name)]
public sealed class StorageTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Decision_round_trips_every_field_including_unicode_text()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        var decision = new TradingDecision(
            "abc123", "BTC/USDT", TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 12.5m, 16727.30000001m, 16700.1m, 16790.25m, 0.83m,
            "Momentum ↑ — 動量 «strong»", "EMA9 > EMA21 ✓", "Risk 1 ATR", "rules-v1", 42, Start, DecisionSource.Api, 16727.2m,
            HoldReason: null, ExecutedAt: Start.AddSeconds(1), Outcome: DecisionOutcome.Pending, Pnl: null, ProposedAction: null);

        await store.SaveAsync(decision, CancellationToken.None);
        var read = Assert.Single(await store.GetLatestAsync("BTC/USDT", 10, CancellationToken.None));

        Assert.Equal(decision, read);
    }

    [Fact]
    public async Task Latest_decisions_come_newest_first_and_per_symbol()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        for (var i = 0; i < 5; i++)
        {
            await store.SaveAsync(Hold($"btc{i}", "BTC/USDT", Start.AddMinutes(i)), CancellationToken.None);
            await store.SaveAsync(Hold($"eth{i}", "ETH/USDT", Start.AddMinutes(i)), CancellationToken.None);
        }

        var latest = await store.GetLatestAsync("BTC/USDT", 3, CancellationToken.None);

        Assert.Equal(["btc4", "btc3", "btc2"], latest.Select(d => d.Id));
    }

    [Fact]
    public async Task Outcome_is_linked_back_to_the_decision()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        var decision = Hold("d1", "BTC/USDT", Start);
        await store.SaveAsync(decision, CancellationToken.None);

        await store.RecordOutcomeAsync(new DecisionKey("BTC/USDT", "d1", Start), DecisionOutcome.Loss, -1.25m, CancellationToken.None);

        var read = Assert.Single(await store.GetLatestAsync("BTC/USDT", 1, CancellationToken.None));
        Assert.Equal(DecisionOutcome.Loss, read.Outcome);
        Assert.Equal(-1.25m, read.Pnl);
        Assert.Equal(decision.Reasoning, read.Reasoning);
    }

    [Fact]
    public async Task Closing_a_position_moves_it_to_trades_and_is_safe_to_repeat()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IPositionStore>();
        var open = new Position("p1", "BTC/USDT", PositionSide.Long, 0.005m, 20000m, 0.1m, 19900m, 20150m, Start, "o1", "d1", Start);
        await store.SaveOpenAsync(open, CancellationToken.None);
        Assert.Equal(open, Assert.Single(await store.GetOpenAsync(CancellationToken.None)));

        var exit = new Order("o2", "c2", "BTC/USDT", OrderType.Market, OrderSide.Sell, OrderStatus.Closed, 0.005m, 0.005m, 20150m, 100.75m, 0.10075m, "USDT", Start.AddMinutes(1));
        var closed = open.Close(exit, ExitReason.TakeProfit, Start.AddMinutes(1));
        await store.CloseAsync(closed, CancellationToken.None);
        await store.CloseAsync(closed, CancellationToken.None);

        Assert.Empty(await store.GetOpenAsync(CancellationToken.None));
        var trade = Assert.Single(await store.GetClosedAsync(DateOnly.FromDateTime(Start.UtcDateTime), CancellationToken.None));
        Assert.Equal(closed, trade);
        Assert.Equal((20150m - 20000m) * 0.005m - 0.1m - 0.10075m, trade.RealizedPnl);
    }

    [Fact]
    public async Task Concurrent_state_updates_lose_nothing()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IScalpingStateStore>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => store.UpdateAsync(s => s.WithClosedTrade(i % 2 == 0 ? 1m : -0.5m, Start), CancellationToken.None))));

        var state = await store.GetAsync(CancellationToken.None);
        Assert.Equal(16, state.TradesToday);
        Assert.Equal(8, state.WinsToday);
        Assert.Equal((8 * 1m) + (8 * -0.5m), state.DailyRealizedPnl);
        Assert.Equal(state.DailyRealizedPnl, state.TotalRealizedPnl);
    }

    [Fact]
    public async Task Concurrent_state_updates_from_two_app_instances_lose_nothing()
    {
        var settings = new Dictionary<string, string?> { ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix() };
        await using var first = TestApp.Create(azurite, Start, settings);
        await using var second = TestApp.Create(azurite, Start, settings);
        var stores = new[] { first.Get<IScalpingStateStore>(), second.Get<IScalpingStateStore>() };

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            Task.Run(() => stores[i % 2].UpdateAsync(s => s.WithClosedTrade(1m, Start), CancellationToken.None))));

        var state = await stores[0].GetAsync(CancellationToken.None);
        Assert.Equal(12, state.TradesToday);
        Assert.Equal(12m, state.DailyRealizedPnl);
    }

    [Fact]
    public async Task A_state_update_from_a_kept_row_another_instance_changed_is_applied_to_the_current_row()
    {
        var settings = new Dictionary<string, string?> { ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix() };
        await using var first = TestApp.Create(azurite, Start, settings);
        await using var second = TestApp.Create(azurite, Start, settings);
        var mine = first.Get<IScalpingStateStore>();
        var theirs = second.Get<IScalpingStateStore>();

        // The first instance keeps the row as it read it; the second then books two trades (+5, -2) the first never read.
        await mine.UpdateAsync(s => s.WithClosedTrade(1m, Start), CancellationToken.None);
        await theirs.UpdateAsync(s => s.WithClosedTrade(5m, Start), CancellationToken.None);
        await theirs.UpdateAsync(s => s.WithClosedTrade(-2m, Start), CancellationToken.None);
        var returned = await mine.UpdateAsync(s => s.WithClosedTrade(3m, Start), CancellationToken.None);

        // 1 + 5 - 2 + 3: the kept copy (1) lost its write and the change was applied to the stored row.
        var stored = await theirs.GetAsync(CancellationToken.None);
        Assert.Equal(7m, stored.DailyRealizedPnl);
        Assert.Equal(4, stored.TradesToday);
        Assert.Equal(7m, returned.DailyRealizedPnl);
    }

    [Fact]
    public async Task Toggle_state_persists_across_app_instances()
    {
        var settings = new Dictionary<string, string?> { ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix() };
        await using (var first = TestApp.Create(azurite, Start, settings))
        {
            Assert.True((await first.Get<IScalpingStateStore>().GetAsync(CancellationToken.None)).Active);
            await first.Get<ScalpingControl>().SetActiveAsync(false, CancellationToken.None);
        }

        await using var second = TestApp.Create(azurite, Start, settings);
        Assert.False((await second.Get<IScalpingStateStore>().GetAsync(CancellationToken.None)).Active);
    }

    [Fact]
    public async Task Paper_account_fill_is_stored_atomically_and_reloads()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IPaperAccountStore>();
        Assert.Null(await store.LoadAsync(CancellationToken.None));
        var order = new Order("paper-c1", "c1", "BTC/USDT", OrderType.Market, OrderSide.Buy, OrderStatus.Closed, 0.01m, 0.01m, 20000.5m, 200.005m, 0.200005m, "USDT", Start);
        var balances = new Dictionary<string, decimal> { ["USDT"] = 9799.794995m, ["BTC"] = 0.01m };

        await store.SaveFillAsync(balances, order, CancellationToken.None);
        var loaded = await store.LoadAsync(CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(balances, loaded.Balances);
        Assert.Equal(order, loaded.OrdersByClientId["c1"]);
    }

    [Fact]
    public async Task Paper_account_open_and_filled_orders_are_stored_together_and_reload()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IPaperAccountStore>();
        var open = new Order("paper-l1", "l1", "BTC/USDT", OrderType.Limit, OrderSide.Buy, OrderStatus.Open, 0.02m, 0m, 0m, 0m, 0m, "USDT", Start, 19000.5m, "GTC", true);
        var filled = new Order("paper-m1", "m1", "BTC/USDT", OrderType.Market, OrderSide.Buy, OrderStatus.Expired, 0.03m, 0.01m, 20000m, 200m, 0.2m, "USDT", Start, 20000m);
        var balances = new Dictionary<string, decimal> { ["USDT"] = 9419.5m, ["BTC"] = 0.01m };

        await store.SaveOrdersAsync(balances, [open, filled], CancellationToken.None);
        var loaded = await store.LoadAsync(CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(balances, loaded.Balances);
        Assert.Equal(open, loaded.OrdersByClientId["l1"]);
        Assert.Equal(filled, loaded.OrdersByClientId["m1"]);
        Assert.Equal(0.02m, loaded.OrdersByClientId["m1"].Remaining);
    }

    [Fact]
    public void Batches_are_split_per_partition_and_at_most_100()
    {
        var actions = Enumerable.Range(0, 250).Select(i => Upsert("a", i))
            .Concat(Enumerable.Range(0, 30).Select(i => Upsert("b", i)))
            .ToList();

        var batches = TableBatch.Split(actions);

        Assert.Equal([100, 100, 50, 30], batches.Select(b => b.Count));
        Assert.All(batches, b => Assert.Single(b.Select(a => a.Entity.PartitionKey).Distinct()));
        Assert.Equal(280, batches.Sum(b => b.Count));
    }

    [Fact]
    public async Task Transactions_that_Azure_would_reject_are_refused_before_sending()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniquePrefix());
        await table.CreateIfNotExistsAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => TableBatch.SubmitAsync(table, [Upsert("a", 1), Upsert("b", 2)], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => TableBatch.SubmitAsync(table, Enumerable.Range(0, 101).Select(i => Upsert("a", i)).ToList(), CancellationToken.None));

        // Azurite itself would have accepted both: nothing reached it.
        await foreach (var _ in table.QueryAsync<TableEntity>())
        {
            Assert.Fail("an entity was written");
        }

        await TableBatch.SubmitAsync(table, Enumerable.Range(0, 100).Select(i => Upsert("a", i)).ToList(), CancellationToken.None);
        var count = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(e => e.PartitionKey == "a"))
        {
            count++;
        }

        Assert.Equal(100, count);
    }

    private static TableTransactionAction Upsert(string partition, int row) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(partition, row.ToString("D4", System.Globalization.CultureInfo.InvariantCulture)) { ["N"] = row });

    private static TradingDecision Hold(string id, string symbol, DateTimeOffset at) =>
        new(id, symbol, TradingStrategy.Scalping, TradeAction.Hold, null, 0m, null, null, null, 0.5m, $"hold {id}", "flat", "none", "rules-v1", 0, at, DecisionSource.Scan, 100m);
}
