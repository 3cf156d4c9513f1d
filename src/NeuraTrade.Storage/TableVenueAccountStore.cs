using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>
/// One arbitrage paper venue's account: like <see cref="TablePaperAccountStore"/> (balances row plus one row per order,
/// written in one transaction) but in its own partition of the <c>paperaccount</c> table, <c>venue-{name}</c>, so each venue
/// keeps its own balances and orders apart from the scalper's account and from the other venues.
/// </summary>
public sealed class TableVenueAccountStore(TableStore tables, string venue) : IPaperAccountStore
{
    private const string BalancesRow = "balances";
    private const string OrderRowPrefix = "order-";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly string _partition = "venue-" + venue.ToLowerInvariant();

    public async Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.PaperAccount, cancellationToken);
        Dictionary<string, decimal>? balances = null;
        var orders = new Dictionary<string, Order>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(e => e.PartitionKey == _partition, cancellationToken: cancellationToken))
        {
            var json = entity.GetString("Json") ?? throw new InvalidDataException($"venue account row {entity.PartitionKey}/{entity.RowKey} lacks Json");
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
            new(TableTransactionActionType.UpsertReplace, new TableEntity(_partition, BalancesRow) { ["Json"] = JsonSerializer.Serialize(balances, Json) }),
        };
        foreach (var order in orders.DistinctBy(o => o.ClientOrderId, StringComparer.Ordinal))
        {
            actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(_partition, OrderRowPrefix + order.ClientOrderId) { ["Json"] = JsonSerializer.Serialize(order, Json) }));
        }

        await TableBatch.SubmitAsync(table, actions, cancellationToken);
    }
}
