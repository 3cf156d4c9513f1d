using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>
/// The paper account in one partition: row <c>balances</c> (JSON of free balances) and one row per order,
/// open or done (<c>order-{clientOrderId}</c>). A change writes the balances and the changed orders in one
/// transaction, so balances and orders never disagree. The scalper's account is partition <c>account</c>; each arbitrage
/// paper venue keeps its own in partition <c>venue-{name}</c> (<see cref="ForVenue"/>), apart from it and from each other.
/// </summary>
public sealed class TablePaperAccountStore : IPaperAccountStore
{
    private const string BalancesRow = "balances";
    private const string OrderRowPrefix = "order-";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly TableStore _tables;
    private readonly string _partition;

    /// <summary>The scalper's paper account (partition <c>account</c>).</summary>
    public TablePaperAccountStore(TableStore tables)
        : this(tables, "account")
    {
    }

    private TablePaperAccountStore(TableStore tables, string partition)
    {
        _tables = tables;
        _partition = partition;
    }

    /// <summary>One arbitrage paper venue's account, in partition <c>venue-{name}</c> (lower case).</summary>
    public static TablePaperAccountStore ForVenue(TableStore tables, string venue) => new(tables, "venue-" + venue.ToLowerInvariant());

    public async Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        var table = await _tables.GetTableAsync(TableNames.PaperAccount, cancellationToken);
        Dictionary<string, decimal>? balances = null;
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == _partition, cancellationToken: cancellationToken))
        {
            var json = entity.GetString("Json") ?? throw new InvalidDataException($"paper account row {entity.PartitionKey}/{entity.RowKey} lacks Json");
            if (entity.RowKey == BalancesRow)
            {
                balances = JsonSerializer.Deserialize<Dictionary<string, decimal>>(json, Json);
            }
            else if (entity.RowKey.StartsWith(OrderRowPrefix, StringComparison.Ordinal))
            {
                var order = JsonSerializer.Deserialize<Order>(json, Json)!;
                orders[order.ClientOrderId] = order;
            }
        }

        return balances is null ? null : new PaperAccountSnapshot(balances, orders);
    }

    public async Task SaveOrdersAsync(IReadOnlyDictionary<string, decimal> balances, IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        if (orders.Count > IPaperAccountStore.MaxOrdersPerSave)
        {
            throw new ArgumentException($"at most {IPaperAccountStore.MaxOrdersPerSave} orders per save, got {orders.Count}", nameof(orders));
        }

        var table = await _tables.GetTableAsync(TableNames.PaperAccount, cancellationToken);
        var actions = new List<TableTransactionAction>(orders.Count + 1)
        {
            new(TableTransactionActionType.UpsertReplace, new TableEntity(_partition, BalancesRow) { ["Json"] = JsonSerializer.Serialize(balances, Json) }),
        };
        foreach (var order in orders.DistinctBy(o => o.ClientOrderId, StringComparer.Ordinal))
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(_partition, OrderRowPrefix + order.ClientOrderId) { ["Json"] = JsonSerializer.Serialize(order, Json) }));
        }

        await TableBatch.SubmitAsync(table, actions, cancellationToken);
    }
}
