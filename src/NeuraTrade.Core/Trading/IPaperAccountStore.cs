namespace NeuraTrade.Core.Trading;

/// <summary>Durable paper account: balances and the orders filled against them, so a restart resumes.</summary>
public interface IPaperAccountStore
{
    /// <summary>Null for a new account.</summary>
    Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores the balances after <paramref name="order"/> together with the order, atomically.</summary>
    Task SaveFillAsync(IReadOnlyDictionary<string, decimal> balances, Order order, CancellationToken cancellationToken);
}

/// <summary>A paper account as stored: free balance per currency, and filled orders by client order id.</summary>
public sealed record PaperAccountSnapshot(IReadOnlyDictionary<string, decimal> Balances, IReadOnlyDictionary<string, Order> OrdersByClientId);
