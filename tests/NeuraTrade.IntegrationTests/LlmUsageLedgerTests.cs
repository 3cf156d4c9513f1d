using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The LLM bill in table <c>llmusage</c> on real Azurite: a burst of records is written per day in one read and one
/// transaction (several past Azure's 100 entities), with the totals recording them one by one would give, next to rows
/// written one by one before, and with concurrent writers losing nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LlmUsageLedgerTests(AzuriteFixture azurite)
{
    private static readonly DateOnly Day1 = new(2026, 11, 25);
    private static readonly DateOnly Day2 = new(2026, 11, 26);

    [Fact]
    public async Task A_burst_over_two_days_totals_each_day_as_recorded_and_keeps_every_row()
    {
        var (tables, requests) = Tables(AzuriteFixture.UniquePrefix());
        var ledger = new TableLlmUsageLedger(tables);

        // Record i: 100·i tokens in, 10·i out, 0.001·i USD (record 8 unpriced). Day 1 holds i = 1..8, day 2 i = 9..12.
        var burst = Enumerable.Range(1, 12)
            .Select(i => Record($"r{i:D2}", i <= 8 ? Day1 : Day2, i, 100 * i, 10 * i, i == 8 ? null : 0.001m * i))
            .ToList();
        await tables.GetTableAsync(TableNames.LlmUsage, CancellationToken.None);
        requests.Clear();

        await ledger.RecordManyAsync(burst, CancellationToken.None);
        var sent = requests.Methods;

        // Day 1: 1+…+8 = 36 → 3,600 in, 360 out; cost (36 − 8) × 0.001 = 0.028. Day 2: 9+…+12 = 42 → 4,200, 420, 0.042.
        Assert.Equal(new LlmDailyUsage(Day1, 8, 3_600, 360, 0.028m), await ledger.GetDailyUsageAsync(Day1, CancellationToken.None));
        Assert.Equal(new LlmDailyUsage(Day2, 4, 4_200, 420, 0.042m), await ledger.GetDailyUsageAsync(Day2, CancellationToken.None));

        // Per day one read of the shards and one transaction.
        Assert.Equal(["GET", "POST", "GET", "POST"], sent);

        var table = await tables.GetTableAsync(TableNames.LlmUsage, CancellationToken.None);
        var day1 = await table.QueryAsync<TableEntity>(e => e.PartitionKey == "20261125").ToListAsync();
        var rows = day1.Where(e => !e.RowKey.StartsWith(TableLlmUsageLedger.TotalRowPrefix, StringComparison.Ordinal)).ToList();
        var shards = day1.Where(e => e.RowKey.StartsWith(TableLlmUsageLedger.TotalRowPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"r{i:D2}"), rows.Select(r => r.GetString("Id")).Order(StringComparer.Ordinal));
        Assert.InRange(shards.Count, 2, TableLlmUsageLedger.Shards); // 8 ids over 8 shards: all in one has odds 8⁻⁷
        Assert.Equal(8, shards.Sum(s => s.GetInt32("Calls")));
        var r3 = rows.Single(r => r.GetString("Id") == "r03");
        Assert.Equal((300L, 30L, "0.003", "openai", "BTC/USDT"), (r3.GetInt64("InputTokens")!.Value, r3.GetInt64("OutputTokens")!.Value, r3.GetString("CostUsd"), r3.GetString("Provider"), r3.GetString("Symbol")));
        Assert.Null(rows.Single(r => r.GetString("Id") == "r08").GetString("CostUsd"));
    }

    [Fact]
    public async Task A_burst_past_100_entities_is_split_into_transactions_with_the_right_totals()
    {
        var (tables, requests) = Tables(AzuriteFixture.UniquePrefix());
        var ledger = new TableLlmUsageLedger(tables);
        var burst = Enumerable.Range(1, 250).Select(i => Record($"big{i:D3}", Day1, i, 7, 3, 0.0125m)).ToList();
        await tables.GetTableAsync(TableNames.LlmUsage, CancellationToken.None);
        requests.Clear();

        await ledger.RecordManyAsync(burst, CancellationToken.None);
        var sent = requests.Methods;

        // 250 × 7 = 1,750 in, 250 × 3 = 750 out, 250 × 0.0125 = 3.125 USD.
        Assert.Equal(new LlmDailyUsage(Day1, 250, 1_750, 750, 3.125m), await ledger.GetDailyUsageAsync(Day1, CancellationToken.None));

        // One read, then transactions of at most 100 entities: rows plus at most 8 shard totals each, so at least 3.
        Assert.Equal("GET", sent[0]);
        Assert.InRange(sent.Count(m => m == "POST"), 3, 4);
        Assert.DoesNotContain("GET", sent.Skip(1)); // each transaction's responses carry the shards' new ETags

        var table = await tables.GetTableAsync(TableNames.LlmUsage, CancellationToken.None);
        var all = await table.QueryAsync<TableEntity>(e => e.PartitionKey == "20261125").ToListAsync();
        Assert.Equal(250, all.Count(e => !e.RowKey.StartsWith(TableLlmUsageLedger.TotalRowPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Two_processes_writing_bursts_at_once_lose_nothing()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var a = new TableLlmUsageLedger(Tables(prefix).Tables);
        var b = new TableLlmUsageLedger(Tables(prefix).Tables);

        // Each writes 6 bursts of 15 records of 11 tokens in, 2 out, 0.02 USD, both at the same time.
        async Task WriteAsync(TableLlmUsageLedger ledger, string name)
        {
            for (var burst = 0; burst < 6; burst++)
            {
                await ledger.RecordManyAsync([.. Enumerable.Range(0, 15).Select(i => Record($"{name}-{burst}-{i}", Day1, i, 11, 2, 0.02m))], CancellationToken.None);
            }
        }

        await Task.WhenAll(Task.Run(() => WriteAsync(a, "a")), Task.Run(() => WriteAsync(b, "b")));

        // 2 × 6 × 15 = 180 calls: 1,980 in, 360 out, 3.6 USD.
        Assert.Equal(new LlmDailyUsage(Day1, 180, 1_980, 360, 3.6m), await a.GetDailyUsageAsync(Day1, CancellationToken.None));
    }

    /// <summary>Rows as the one-by-one writer stored them (a request row and its shard's total) keep counting after a burst.</summary>
    [Fact]
    public async Task Rows_recorded_one_by_one_before_still_count_with_a_burst()
    {
        var (tables, _) = Tables(AzuriteFixture.UniquePrefix());
        var table = await tables.GetTableAsync(TableNames.LlmUsage, CancellationToken.None);
        await table.AddEntityAsync(new TableEntity("20261125", "2520873755999999999-old1")
        {
            ["Id"] = "old1", ["At"] = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero), ["Provider"] = "openai", ["Model"] = "gpt-4o-mini",
            ["Purpose"] = "decision", ["Symbol"] = "ETH/USDT", ["InputTokens"] = 5_000L, ["OutputTokens"] = 400L, ["CostUsd"] = "0.75",
            ["LatencyMs"] = 900L, ["Rounds"] = 2, ["Status"] = "ok",
        });
        foreach (var shard in Enumerable.Range(0, TableLlmUsageLedger.Shards))
        {
            // Every shard holds one earlier call of 5,000 in, 400 out, 0.75 USD, so the burst updates existing rows.
            await table.AddEntityAsync(new TableEntity("20261125", $"~total-{shard}")
            {
                ["Calls"] = 1, ["InputTokens"] = 5_000L, ["OutputTokens"] = 400L, ["CostUsd"] = "0.75",
            });
        }

        var ledger = new TableLlmUsageLedger(tables);
        await ledger.RecordManyAsync([Record("n1", Day1, 1, 100, 10, 0.1m), Record("n2", Day1, 2, 200, 20, 0.2m), Record("n3", Day1, 3, 300, 30, null)], CancellationToken.None);

        // 8 earlier calls (40,000 in, 3,200 out, 6 USD) + 600 in, 60 out, 0.3 USD.
        Assert.Equal(new LlmDailyUsage(Day1, 11, 40_600, 3_260, 6.3m), await ledger.GetDailyUsageAsync(Day1, CancellationToken.None));
    }

    /// <summary>
    /// The write-behind's writer takes everything queued at once: while its first write is held, ten records queue;
    /// released, they reach the store in one call of two requests (the shards' read and one transaction).
    /// </summary>
    [Fact]
    public async Task Write_behind_writes_queued_records_as_one_burst_in_two_requests()
    {
        var (tables, requests) = Tables(AzuriteFixture.UniquePrefix());
        await tables.GetTableAsync(TableNames.LlmUsage, CancellationToken.None);
        var store = new HeldLedger(new TableLlmUsageLedger(tables), requests);
        var ledger = new WriteBehindLlmUsageLedger(store, NullLogger<WriteBehindLlmUsageLedger>.Instance);

        await ledger.RecordAsync(Record("first", Day1, 0, 1, 1, 0.5m), CancellationToken.None);
        await store.Entered.Task.WaitAsync(TimeSpan.FromMinutes(1));
        foreach (var i in Enumerable.Range(1, 10))
        {
            await ledger.RecordAsync(Record($"q{i}", Day1, i, 10 * i, i, 0.01m * i), CancellationToken.None);
        }

        // Queued, not yet written: the budget already counts them (1+…+10 = 55 → 550 + 1 in, 0.55 + 0.5 USD).
        Assert.Equal(new LlmDailyUsage(Day1, 11, 551, 56, 1.05m), await ledger.GetDailyUsageAsync(Day1, CancellationToken.None));
        store.Release.SetResult();
        await ledger.DisposeAsync();

        Assert.Equal([(1, 2), (10, 2)], store.Calls);
        Assert.Equal(0, ledger.PendingCount);
        Assert.Equal(new LlmDailyUsage(Day1, 11, 551, 56, 1.05m), await store.GetDailyUsageAsync(Day1, CancellationToken.None));
    }

    private static LlmUsageRecord Record(string id, DateOnly day, int minute, long input, long output, decimal? cost) =>
        new(id, new DateTimeOffset(day.ToDateTime(new TimeOnly(9, 0)), TimeSpan.Zero).AddMinutes(minute), "openai", "gpt-4o-mini", "decision", "BTC/USDT", input, output, cost, 300, 1, "ok");

    private (TableStore Tables, RequestLog Requests) Tables(string prefix)
    {
        var requests = new RequestLog();
        var options = new TableClientOptions();
        options.AddPolicy(requests, HttpPipelinePosition.PerRetry);
        return (new TableStore(new TableServiceClient(azurite.ConnectionString, options), Options.Create(new TableStorageOptions { TablePrefix = prefix })), requests);
    }

    /// <summary>The methods of the table requests sent, in order.</summary>
    private sealed class RequestLog : HttpPipelinePolicy
    {
        private readonly List<string> _methods = [];

        public List<string> Methods
        {
            get
            {
                lock (_methods)
                {
                    return [.. _methods];
                }
            }
        }

        public int Count
        {
            get
            {
                lock (_methods)
                {
                    return _methods.Count;
                }
            }
        }

        public void Clear()
        {
            lock (_methods)
            {
                _methods.Clear();
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Add(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Add(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Add(HttpMessage message)
        {
            lock (_methods)
            {
                _methods.Add(message.Request.Method.Method);
            }
        }
    }

    /// <summary>The store behind the write-behind: holds its first write until released, and notes each write's size and requests.</summary>
    private sealed class HeldLedger(TableLlmUsageLedger inner, RequestLog requests) : ILlmUsageLedger
    {
        private readonly List<(int Records, int Requests)> _calls = [];

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<(int Records, int Requests)> Calls => [.. _calls];

        public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken) => RecordManyAsync([record], cancellationToken);

        public async Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task;
            var before = requests.Count;
            await inner.RecordManyAsync(records, cancellationToken);
            _calls.Add((records.Count, requests.Count - before));
        }

        public Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken) => inner.GetDailyUsageAsync(day, cancellationToken);
    }
}
