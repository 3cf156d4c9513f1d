using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>
/// The paper account in one partition: row <c>balances</c> (JSON of free balances) and one row per order,
/// open or done (<c>order-{clientOrderId}</c>). A change writes the balances and the changed orders in one
/// transaction, so balances and orders never disagree.
/// </summary>
public sealed class TablePaperAccountStore(TableStore tables) : IPaperAccountStore
{
    private const string Partition = "account";
    private const string BalancesRow = "balances";
    private const string OrderRowPrefix = "order-";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.PaperAccount, cancellationToken);
        Dictionary<string, decimal>? balances = null;
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            var json = entity.GetString("Json") ?? throw new InvalidDataException($"paper account row {entity.RowKey} lacks Json");
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

        var table = await tables.GetTableAsync(TableNames.PaperAccount, cancellationToken);
        var actions = new List<TableTransactionAction>(orders.Count + 1)
        {
            new(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, BalancesRow) { ["Json"] = JsonSerializer.Serialize(balances, Json) }),
        };
        foreach (var order in orders.DistinctBy(o => o.ClientOrderId, StringComparer.Ordinal))
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, OrderRowPrefix + order.ClientOrderId) { ["Json"] = JsonSerializer.Serialize(order, Json) }));
        }

        await TableBatch.SubmitAsync(table, actions, cancellationToken);
    }
}
