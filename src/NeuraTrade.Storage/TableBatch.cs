using Azure.Data.Tables;

namespace NeuraTrade.Storage;

/// <summary>
/// Entity-group transactions as Azure allows them: one partition, at most 100 entities. Azurite accepts
/// more, so the rule is enforced here, before anything is sent.
/// </summary>
public static class TableBatch
{
    public const int MaxEntities = 100;

    /// <summary>Groups actions by partition and splits each group into transactions of at most 100.</summary>
    public static IReadOnlyList<IReadOnlyList<TableTransactionAction>> Split(IEnumerable<TableTransactionAction> actions) =>
        actions
            .GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal)
            .SelectMany(g => g.Chunk(MaxEntities))
            .Select(chunk => (IReadOnlyList<TableTransactionAction>)chunk)
            .ToList();

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

        await table.SubmitTransactionAsync(actions, cancellationToken);
    }
}
