using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>The decision journal on real Azurite: every field, every query the API serves, batches and their limits.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DecisionJournalTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_field_round_trips_including_unicode_and_very_long_text()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        var reasoning = LongUnicode(100_000);
        var raw = LongUnicode(70_001);
        var trace = new LlmTrace("anthropic", "claude-x", "sha256:ab12", 1234, 567, 0.004321m, 2345, 2, "ok",
            [new ToolCallRecord("get_ticker", """{"symbol":"BTC/USDT"}""", """{"last":20000.5}""", false, 12), new ToolCallRecord("get_book", "{}", "timeout «ü»", true, 3000)],
            raw);
        var decision = new TradingDecision(
            "full1", "BTC/USDT", TradingStrategy.Scalping, TradeAction.Hold, null, 12.5m, 16727.30000001m, 16700.1m, 16790.25m, 0.83m,
            reasoning, "EMA9 > EMA21 ✓ — 動量", "Risk 1 ATR 🚀", "claude-x", 1801, Start, DecisionSource.Scan, 16727.2m,
            HoldReason: "validation: stop-loss on the wrong side ⛔", ExecutedAt: Start.AddSeconds(1), Outcome: DecisionOutcome.Pending, Pnl: -0.000001m, ProposedAction: "buy")
        {
            OrderType = OrderType.Limit,
            Invalidation = "close below 16,650 ✗",
            Trace = trace,
            Review = new RiskReview(RiskReview.Reduce, 0.5m, "too big for the day's drawdown", "claude-x", null),
        };

        await store.SaveAsync(decision, CancellationToken.None);
        var latest = Assert.Single(await store.GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        var byId = await store.GetByIdAsync("full1", CancellationToken.None);

        foreach (var read in new[] { latest, byId! })
        {
            Assert.NotNull(read);
            Assert.Equal(decision with { Trace = null }, read with { Trace = null });
            Assert.Equal(trace with { ToolCalls = [] }, read.Trace! with { ToolCalls = [] });
            Assert.Equal(trace.ToolCalls, read.Trace!.ToolCalls);
            Assert.Equal(100_000, read.Reasoning.Length);
            Assert.Equal(raw, read.Trace.RawText);
        }
    }

    [Fact]
    public async Task A_decision_too_large_for_an_entity_is_refused_not_cut()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        var huge = Decision("huge", "BTC/USDT", TradingStrategy.Scalping, Start) with { Reasoning = new string('x', 600_000) };

        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(huge, CancellationToken.None));

        Assert.Null(await store.GetByIdAsync("huge", CancellationToken.None));
        Assert.Empty(await store.GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
    }

    [Fact]
    public async Task Latest_decisions_for_a_symbol_come_newest_first_and_page_without_gaps()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        await store.SaveManyAsync(Enumerable.Range(0, 25).Select(i => Decision($"b{i:D2}", "BTC/USDT", TradingStrategy.Scalping, Start.AddMinutes(i))).ToList(), CancellationToken.None);
        await store.SaveManyAsync(Enumerable.Range(0, 5).Select(i => Decision($"e{i}", "ETH/USDT", TradingStrategy.Scalping, Start.AddMinutes(i))).ToList(), CancellationToken.None);

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await store.QueryAsync(new DecisionQuery("BTC/USDT", Limit: 10, Cursor: cursor), CancellationToken.None);
            seen.AddRange(page.Decisions.Select(d => d.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"b{i:D2}"), seen);
        Assert.Equal(["b24", "b23", "b22"], (await store.GetLatestAsync("BTC/USDT", 3, CancellationToken.None)).Select(d => d.Id));
    }

    [Fact]
    public async Task Decisions_for_a_strategy_in_a_time_range_are_found_without_a_symbol()
    {
        await using var app = TestApp.Create(azurite, Start.AddDays(3));
        var store = app.Get<IDecisionStore>();
        var all = new List<TradingDecision>();
        for (var i = 0; i < 30; i++)
        {
            var strategy = (TradingStrategy)(i % 3);
            all.Add(Decision($"d{i:D2}", i % 2 == 0 ? "BTC/USDT" : "ETH/USDT", strategy, Start.AddHours(i * 3)));
        }

        await store.SaveManyAsync(all, CancellationToken.None);
        var from = Start.AddHours(10);
        var to = Start.AddHours(70);

        var page = await store.QueryAsync(new DecisionQuery(Strategy: TradingStrategy.Analysis, From: from, To: to, Limit: 100), CancellationToken.None);

        var expected = all.Where(d => d.Strategy == TradingStrategy.Analysis && d.CreatedAt >= from && d.CreatedAt <= to).OrderByDescending(d => d.CreatedAt).Select(d => d.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, page.Decisions.Select(d => d.Id));
        Assert.Null(page.NextCursor);

        var bySymbol = await store.QueryAsync(new DecisionQuery("ETH/USDT", TradingStrategy.Arbitrage, from, to, 100), CancellationToken.None);
        Assert.Equal(
            all.Where(d => d.Symbol == "ETH/USDT" && d.Strategy == TradingStrategy.Arbitrage && d.CreatedAt >= from && d.CreatedAt <= to).OrderByDescending(d => d.CreatedAt).Select(d => d.Id),
            bySymbol.Decisions.Select(d => d.Id));
    }

    [Fact]
    public async Task Decisions_of_a_day_come_from_every_symbol_and_strategy_newest_first_and_page()
    {
        await using var app = TestApp.Create(azurite, Start.AddDays(5));
        var store = app.Get<IDecisionStore>();
        var day = new DateTimeOffset(2026, 3, 3, 0, 0, 0, TimeSpan.Zero);
        var symbols = new[] { "BTC/USDT", "ETH/USDT", "SOL/USDT" };
        var all = Enumerable.Range(0, 60)
            .Select(i => Decision($"x{i:D2}", symbols[i % 3], (TradingStrategy)(i % 3 == 0 ? 0 : i % 2 + 1), day.AddHours(-6).AddMinutes(i * 37)))
            .ToList();
        await store.SaveManyAsync(all, CancellationToken.None);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await store.QueryAsync(new DecisionQuery(From: day, To: day.AddDays(1).AddTicks(-1), Limit: 7, Cursor: cursor), CancellationToken.None);
            Assert.True(page.Decisions.Count <= 7);
            seen.AddRange(page.Decisions.Select(d => d.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var expected = all.Where(d => d.CreatedAt >= day && d.CreatedAt < day.AddDays(1)).OrderByDescending(d => d.CreatedAt).Select(d => d.Id).ToList();
        Assert.True(expected.Count > 20);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_decision_is_found_by_id_and_an_unknown_id_is_null()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        await store.SaveManyAsync(Enumerable.Range(0, 40).Select(i => Decision($"id{i}", i % 2 == 0 ? "BTC/USDT" : "ETH/USDT", TradingStrategy.Scalping, Start.AddSeconds(i))).ToList(), CancellationToken.None);

        var found = await store.GetByIdAsync("id17", CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal("ETH/USDT", found.Symbol);
        Assert.Equal(Start.AddSeconds(17), found.CreatedAt);
        Assert.Null(await store.GetByIdAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task An_outcome_reaches_the_decision_and_its_time_index_copy()
    {
        await using var app = TestApp.Create(azurite, Start);
        var store = app.Get<IDecisionStore>();
        await store.SaveAsync(Decision("o1", "BTC/USDT", TradingStrategy.Scalping, Start), CancellationToken.None);

        await store.RecordOutcomeAsync(new DecisionKey("BTC/USDT", "o1", Start), DecisionOutcome.Win, 2.5m, CancellationToken.None);

        var bySymbol = Assert.Single(await store.GetLatestAsync("BTC/USDT", 5, CancellationToken.None));
        var byDay = Assert.Single((await store.QueryAsync(new DecisionQuery(From: Start.AddHours(-1), To: Start.AddHours(1)), CancellationToken.None)).Decisions);
        Assert.All(new[] { bySymbol, byDay, (await store.GetByIdAsync("o1", CancellationToken.None))! }, d =>
        {
            Assert.Equal(DecisionOutcome.Win, d.Outcome);
            Assert.Equal(2.5m, d.Pnl);
        });
    }

    [Fact]
    public async Task A_250_decision_batch_is_split_into_transactions_Azure_accepts()
    {
        var outage = new StorageOutage();
        var batches = new List<int>();
        var kinds = new List<string>();
        var singleWrites = 0;
        outage.Observe = request =>
        {
            if (request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal))
            {
                lock (batches)
                {
                    batches.Add(OperationsIn(request));
                    kinds.Add(PartitionKind(request));
                }
            }
            else if (request.Method != Azure.Core.RequestMethod.Get && !request.Uri.Path.EndsWith("/Tables", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref singleWrites);
            }
        };
        using var host = outage.CreateApp(azurite, new FakeTimeProvider(Start));
        var store = host.Services.GetRequiredService<IDecisionStore>();
        var decisions = Enumerable.Range(0, 250).Select(i => Decision(Guid.NewGuid().ToString("N"), "BTC/USDT", TradingStrategy.Scalping, Start.AddSeconds(i))).ToList();

        await store.SaveManyAsync(decisions, CancellationToken.None);

        // Decision rows: one partition, 100 + 100 + 50 (written with the time copies, all of them before any id pointer). Time
        // copies and id pointers: one transaction per started hundred per bucket.
        var expected = 3
            + decisions.GroupBy(d => TableDecisionStore.Bucket(d.Id, TableDecisionStore.TimeBuckets)).Sum(g => (g.Count() + 99) / 100)
            + decisions.GroupBy(d => TableDecisionStore.Bucket(d.Id, TableDecisionStore.IdBuckets)).Sum(g => (g.Count() + 99) / 100);
        Assert.Equal(expected, batches.Count);
        Assert.Equal(0, singleWrites);
        Assert.All(batches, n => Assert.InRange(n, 1, TableBatch.MaxEntities));
        Assert.Equal(750, batches.Sum());
        Assert.Equal([100, 100, 50], batches.Where((_, i) => kinds[i] == "decision").OrderDescending());
        Assert.True(kinds.LastIndexOf("decision") < kinds.IndexOf("pointer"), string.Join(",", kinds));
        Assert.True(kinds.LastIndexOf("copy") < kinds.IndexOf("pointer"), string.Join(",", kinds));
        var stored = await store.GetLatestAsync("BTC/USDT", 1000, CancellationToken.None);
        Assert.Equal(decisions.Select(d => d.Id).Reverse(), stored.Select(d => d.Id));
    }

    [Fact]
    public void Batches_are_also_split_at_4_MiB_of_payload()
    {
        var big = new string('y', 30_000);
        var actions = Enumerable.Range(0, 40).Select(i =>
        {
            var entity = new TableEntity("p", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            for (var k = 0; k < 5; k++)
            {
                entity[$"T{k}"] = big;
            }

            return new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
        }).ToList();

        var batches = TableBatch.Split(actions);

        Assert.True(batches.Count >= 2, $"{batches.Count} batch(es) for ~6 MB");
        Assert.All(batches, b => Assert.True(b.Sum(a => TableBatch.PayloadBytes(a.Entity)) <= TableBatch.MaxPayloadBytes));
        Assert.Equal(40, batches.Sum(b => b.Count));
    }

    [Fact]
    public async Task A_transaction_over_4_MiB_is_refused_before_sending()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(AzuriteFixture.UniquePrefix());
        await table.CreateIfNotExistsAsync();
        var big = new string('z', 30_000);
        var actions = Enumerable.Range(0, 30).Select(i =>
        {
            var entity = new TableEntity("p", i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            for (var k = 0; k < 5; k++)
            {
                entity[$"T{k}"] = big;
            }

            return new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
        }).ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => TableBatch.SubmitAsync(table, actions, CancellationToken.None));

        await foreach (var _ in table.QueryAsync<TableEntity>())
        {
            Assert.Fail("an entity was written");
        }
    }

    internal static TradingDecision Decision(string id, string symbol, TradingStrategy strategy, DateTimeOffset at) =>
        new(id, symbol, strategy, TradeAction.Hold, null, 0m, null, null, null, 0.5m, $"hold {id}", "flat", "none", "rules-v1", 0, at, DecisionSource.Scan, 100m);

    /// <summary>Text with multi-byte and surrogate-pair characters at every 30,000-char property boundary.</summary>
    private static string LongUnicode(int length)
    {
        var text = new StringBuilder(length);
        var pieces = new[] { "a", "é", "動", "🚀", "«", " " };
        for (var i = 0; text.Length < length; i++)
        {
            text.Append(pieces[i % pieces.Length]);
        }

        return text.ToString(0, length - (char.IsHighSurrogate(text[length - 1]) ? 1 : 0)).PadRight(length, '.');
    }

    /// <summary>What a transaction writes: decision rows, their time copies or their id pointers (from its first operation's partition).</summary>
    private static string PartitionKind(Azure.Core.Request request)
    {
        using var body = new MemoryStream();
        request.Content!.WriteTo(body, CancellationToken.None);
        var text = Encoding.UTF8.GetString(body.ToArray());
        return text.Contains(TableDecisionStore.IdPrefix, StringComparison.Ordinal) ? "pointer" : text.Contains(TableDecisionStore.TimePrefix, StringComparison.Ordinal) ? "copy" : "decision";
    }

    private static int OperationsIn(Azure.Core.Request request)
    {
        using var body = new MemoryStream();
        request.Content!.WriteTo(body, CancellationToken.None);
        var text = Encoding.UTF8.GetString(body.ToArray());
        return text.Split('\n').Count(line => line.StartsWith("PUT ", StringComparison.Ordinal) || line.StartsWith("PATCH ", StringComparison.Ordinal) || line.StartsWith("MERGE ", StringComparison.Ordinal));
    }
}
