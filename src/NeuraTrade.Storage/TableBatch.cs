using System.Text;
using System.Text.Json;
using Azure.Data.Tables;

namespace NeuraTrade.Storage;

/// <summary>
/// Entity-group transactions as Azure allows them: one partition, at most 100 entities, at most 4 MiB of
/// payload; and entities of at most 1 MiB. Azurite accepts more, so the rules are enforced here, before
/// anything is sent.
/// </summary>
public static class TableBatch
{
    public const int MaxEntities = 100;

    /// <summary>Azure's limit on a transaction's request body.</summary>
    public const long MaxPayloadBytes = 4L * 1024 * 1024;

    /// <summary>Azure's limit on one entity (strings counted as UTF-16).</summary>
    public const long MaxEntityBytes = 1024L * 1024;

    /// <summary>Multipart headers, the request line and OData annotations of one operation, generously.</summary>
    private const int OperationOverheadBytes = 1024;

    /// <summary>
    /// Groups actions by partition and splits each group into transactions of at most 100 entities and at most
    /// 4 MiB of estimated payload, keeping the actions' order within a partition.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<TableTransactionAction>> Split(IEnumerable<TableTransactionAction> actions)
    {
        var result = new List<IReadOnlyList<TableTransactionAction>>();
        foreach (var partition in actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal))
        {
            var current = new List<TableTransactionAction>();
            long bytes = 0;
            foreach (var action in partition)
            {
                var size = PayloadBytes(action.Entity);
                if (current.Count > 0 && (current.Count == MaxEntities || bytes + size > MaxPayloadBytes))
                {
                    result.Add(current);
                    current = [];
                    bytes = 0;
                }

                current.Add(action);
                bytes += size;
            }

            if (current.Count > 0)
            {
                result.Add(current);
            }
        }

        return result;
    }

    /// <summary>Submits one transaction after checking Azure's rules.</summary>
    public static async Task SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        if (actions.Count is 0 or > MaxEntities)
        {
            throw new ArgumentException($"a transaction holds 1 to {MaxEntities} entities, got {actions.Count}", nameof(actions));
        }

        var partition = actions[0].Entity.PartitionKey;
        if (actions.Any(a => !string.Equals(a.Entity.PartitionKey, partition, StringComparison.Ordinal)))
        {
            throw new ArgumentException("a transaction must stay within one partition", nameof(actions));
        }

        foreach (var action in actions)
        {
            CheckEntitySize(action.Entity);
        }

        var payload = actions.Sum(a => PayloadBytes(a.Entity));
        if (payload > MaxPayloadBytes)
        {
            throw new ArgumentException($"a transaction carries at most {MaxPayloadBytes} bytes, this one about {payload}", nameof(actions));
        }

        await table.SubmitTransactionAsync(actions, cancellationToken);
    }

    /// <summary>Throws when Azure would refuse the entity for its size.</summary>
    public static void CheckEntitySize(ITableEntity entity)
    {
        var size = EntityBytes(entity);
        if (size > MaxEntityBytes)
        {
            throw new ArgumentException($"entity {entity.PartitionKey}/{entity.RowKey} is about {size} bytes; Azure stores at most {MaxEntityBytes}");
        }
    }

    /// <summary>The entity's size as Azure counts it (UTF-16 strings, names included), rounded up.</summary>
    public static long EntityBytes(ITableEntity entity)
    {
        long size = 4 + ((entity.PartitionKey.Length + entity.RowKey.Length) * 2L) + 8;
        if (entity is TableEntity table)
        {
            foreach (var (name, value) in table)
            {
                size += 8 + (name.Length * 2L) + value switch
                {
                    string s => 4 + (s.Length * 2L),
                    byte[] b => 4 + b.Length,
                    null => 0,
                    _ => 16,
                };
            }
        }

        return size;
    }

    /// <summary>The operation's share of the request body: its JSON (non-ASCII escaped as the SDK does) plus headers.</summary>
    public static long PayloadBytes(ITableEntity entity)
    {
        if (entity is not TableEntity table)
        {
            return OperationOverheadBytes + 4096;
        }

        var json = JsonSerializer.Serialize(table.ToDictionary(p => p.Key, p => p.Value), JsonOptions);
        return OperationOverheadBytes + Encoding.UTF8.GetByteCount(json) + (table.Count * 64L);
    }

    private static readonly JsonSerializerOptions JsonOptions = new();
}
