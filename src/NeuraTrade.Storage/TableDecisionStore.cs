using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The decision journal, one table, three kinds of partition (docs/storage.md):
/// <list type="bullet">
/// <item>the decision: partition = symbol (BASE-QUOTE), row = newest-first ticks + id. "Latest N for a symbol"
/// is one partition read in key order, no sort.</item>
/// <item>a time-index copy: partition <c>~t-{yyyyMMdd}-{strategy}-{bucket}</c> (bucket = hash of the id, so one
/// day's writes spread over <see cref="TimeBuckets"/> partitions per strategy), same row key. Serves a strategy's
/// or a day's decisions without a scan.</item>
/// <item>an id pointer: partition <c>~id-{bucket}</c>, row = id, holding the decision's partition and row keys.</item>
/// </list>
/// The three live in different partitions, so no transaction spans them. They are written with idempotent upserts, the
/// decisions and their time copies together, then the pointers, and a save only succeeds when all three did: a pointer
/// therefore always points at a decision that exists, and a failed save is retried whole (see
/// <see cref="DurableDecisionJournal"/>). A time copy may exist a moment before (or, after a failure, without) its
/// decision row: it is the whole decision, so a day's read shows it, and the retried save writes the rest.
/// </summary>
public sealed class TableDecisionStore(TableStore tables, TimeProvider time) : IDecisionStore
{
    public const int TimeBuckets = 4;
    public const int IdBuckets = 16;
    private const int ParallelTransactions = 16;
    internal const string TimePrefix = "~t-";
    internal const string IdPrefix = "~id-";

    public Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken) => SaveManyAsync([decision], cancellationToken);

    /// <summary>The decision rows and the time copies at once, then the id pointers; each group in per-partition transactions.</summary>
    public async Task SaveManyAsync(IReadOnlyList<TradingDecision> decisions, CancellationToken cancellationToken)
    {
        if (decisions.Count == 0)
        {
            return;
        }

        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        var main = decisions.Select(d => DecisionEntities.ToEntity(d, SymbolKey(d.Symbol), RowKey(d.CreatedAt, d.Id))).ToList();
        var copies = decisions.Select(d => DecisionEntities.ToEntity(d, TimePartition(d.CreatedAt, d.Strategy, d.Id), RowKey(d.CreatedAt, d.Id))).ToList();
        var pointers = decisions.Select(Pointer).ToList();
        await Task.WhenAll(WriteAsync(table, main, cancellationToken), WriteAsync(table, copies, cancellationToken));
        await WriteAsync(table, pointers, cancellationToken);
    }

    public async Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return (await QueryAsync(new DecisionQuery(Symbol: symbol, Limit: limit), cancellationToken)).Decisions;
    }

    public async Task<TradingDecision?> GetByIdAsync(string id, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        var pointer = await table.GetEntityIfExistsAsync<TableEntity>(IdPartition(id), id, cancellationToken: cancellationToken);
        if (!pointer.HasValue)
        {
            return null;
        }

        var decision = await table.GetEntityIfExistsAsync<TableEntity>(String(pointer.Value!, "DecisionPartition"), String(pointer.Value!, "DecisionRow"), cancellationToken: cancellationToken);
        return decision.HasValue ? DecisionEntities.FromEntity(decision.Value!) : null;
    }

    public async Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > DecisionQuery.MaxLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(query), $"limit must be 1 to {DecisionQuery.MaxLimit}");
        }

        // With a symbol the partition is read newest first from its start: no upper bound is needed. Without one
        // the range picks the day partitions to read, so it ends now.
        var to = query.To ?? (query.Symbol is null ? time.GetUtcNow() : DateTimeOffset.MaxValue);
        var from = query.From ?? (query.Symbol is null ? to - DecisionQuery.DefaultRangeWithoutSymbol : DateTimeOffset.MinValue);
        if (from > to)
        {
            return new DecisionPage([], null);
        }

        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        List<TableEntity> rows;
        if (query.Symbol is not null)
        {
            rows = await ReadPartitionAsync(table, SymbolKey(query.Symbol), from, to, query.Strategy, query.Cursor, query.Limit, cancellationToken);
        }
        else
        {
            var days = DayNumber(to) - DayNumber(from) + 1;
            if (days > DecisionQuery.MaxDaysWithoutSymbol)
            {
                throw new ArgumentOutOfRangeException(nameof(query), $"without a symbol a query spans at most {DecisionQuery.MaxDaysWithoutSymbol} days, not {days}");
            }

            rows = await ReadDaysAsync(table, from, to, query, cancellationToken);
        }

        var decisions = rows.Select(DecisionEntities.FromEntity).ToList();
        return new DecisionPage(decisions, rows.Count == query.Limit ? rows[^1].RowKey : null);
    }

    public async Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.Decisions, cancellationToken);
        var row = RowKey(decision.CreatedAt, decision.Id);
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(SymbolKey(decision.Symbol), row, ["Strategy"], cancellationToken);
        if (!stored.HasValue)
        {
            // No such decision: a position adopted by reconciliation after a crash between its fill and the journal has
            // none. The trade itself is booked (positions, state); there is no decision row to mark.
            return;
        }

        var strategy = Enum<TradingStrategy>(stored.Value!, "Strategy");
        var change = new TableEntity(SymbolKey(decision.Symbol), row)
        {
            ["Outcome"] = outcome.ToString().ToLowerInvariant(),
            ["Pnl"] = Text(pnl),
        };
        await table.UpdateEntityAsync(change, ETag.All, TableUpdateMode.Merge, cancellationToken);
        change.PartitionKey = TimePartition(decision.CreatedAt, strategy, decision.Id);
        try
        {
            await table.UpdateEntityAsync(change, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The copy is written after the decision; a save still pending rewrites it whole.
        }
    }

    internal static string RowKey(DateTimeOffset createdAt, string id) => $"{NewestFirst(createdAt)}-{id}";

    internal static string TimePartition(DateTimeOffset createdAt, TradingStrategy strategy, string id) =>
        $"{TimePrefix}{DayKey(createdAt)}-{strategy.ToString().ToLowerInvariant()}-{Bucket(id, TimeBuckets)}";

    internal static string IdPartition(string id) => $"{IdPrefix}{Bucket(id, IdBuckets):x2}";

    /// <summary>A stable bucket (FNV-1a of the id): the same id lands in the same partition in every process.</summary>
    internal static int Bucket(string id, int buckets)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return (int)(hash % (uint)buckets);
    }

    private static TableEntity Pointer(TradingDecision d) => new(IdPartition(d.Id), d.Id)
    {
        ["DecisionPartition"] = SymbolKey(d.Symbol),
        ["DecisionRow"] = RowKey(d.CreatedAt, d.Id),
    };

    private static async Task WriteAsync(TableClient table, List<TableEntity> entities, CancellationToken cancellationToken)
    {
        if (entities.Count == 1)
        {
            TableBatch.CheckEntitySize(entities[0]);
            await table.UpsertEntityAsync(entities[0], TableUpdateMode.Replace, cancellationToken);
            return;
        }

        // Transactions of one group are independent upserts of distinct rows: a few run at once.
        var batches = TableBatch.Split(entities.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)));
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelTransactions, CancellationToken = cancellationToken },
            async (batch, ct) => await TableBatch.SubmitAsync(table, batch, ct));
    }

    /// <summary>Rows of one partition between two times, newest first, after the cursor: a row-key range read.</summary>
    private static async Task<List<TableEntity>> ReadPartitionAsync(
        TableClient table, string partition, DateTimeOffset from, DateTimeOffset to, TradingStrategy? strategy, string? cursor, int limit, CancellationToken cancellationToken)
    {
        var newest = NewestFirst(to);
        var oldest = NewestFirst(from) + ".";
        var filter = cursor is not null && string.CompareOrdinal(cursor, newest) >= 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {cursor} and RowKey lt {oldest}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {newest} and RowKey lt {oldest}");
        if (strategy is { } s)
        {
            filter += TableClient.CreateQueryFilter($" and Strategy eq {s.ToString().ToLowerInvariant()}");
        }

        var rows = new List<TableEntity>(Math.Min(limit, 1000));
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(entity);
            if (rows.Count == limit)
            {
                break;
            }
        }

        return rows;
    }

    /// <summary>
    /// Day by day, newest first: every (strategy, bucket) partition of the day is read concurrently and merged by
    /// row key; stops as soon as the page is full.
    /// </summary>
    private static async Task<List<TableEntity>> ReadDaysAsync(TableClient table, DateTimeOffset from, DateTimeOffset to, DecisionQuery query, CancellationToken cancellationToken)
    {
        var strategies = query.Strategy is { } s ? [s] : System.Enum.GetValues<TradingStrategy>();
        var rows = new List<TableEntity>();
        for (var day = DayNumber(to); day >= DayNumber(from) && rows.Count < query.Limit; day--)
        {
            var dayKey = DateOnly.FromDayNumber(day).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var reads = strategies
                .SelectMany(st => Enumerable.Range(0, TimeBuckets).Select(b => $"{TimePrefix}{dayKey}-{st.ToString().ToLowerInvariant()}-{b}"))
                .Select(p => ReadPartitionAsync(table, p, from, to, null, query.Cursor, query.Limit - rows.Count, cancellationToken));
            var parts = await Task.WhenAll(reads);
            rows.AddRange(parts.SelectMany(p => p).OrderBy(e => e.RowKey, StringComparer.Ordinal).Take(query.Limit - rows.Count));
        }

        return rows;
    }

    private static int DayNumber(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime).DayNumber;

    private static string DayKey(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
