namespace NeuraTrade.Core.Trading;

/// <summary>
/// Durable paper account: free balances and every order placed against them (open ones included, with the
/// funds they reserve released from the free balance), so a restart resumes with the same open orders.
/// </summary>
public interface IPaperAccountStore
{
    /// <summary>Null for a new account.</summary>
    Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Stores the free balances after <paramref name="order"/> together with the order, atomically.</summary>
    Task SaveFillAsync(IReadOnlyDictionary<string, decimal> balances, Order order, CancellationToken cancellationToken) =>
        SaveOrdersAsync(balances, [order], cancellationToken);

    /// <summary>
    /// Stores the free balances together with every changed order (new, filled, partly filled, cancelled), atomically.
    /// At most <see cref="MaxOrdersPerSave"/> orders at once.
    /// </summary>
    Task SaveOrdersAsync(IReadOnlyDictionary<string, decimal> balances, IReadOnlyList<Order> orders, CancellationToken cancellationToken);

    /// <summary>One transaction holds the balances row and up to this many orders (Table Storage allows 100 entities).</summary>
    public const int MaxOrdersPerSave = 99;
}

/// <summary>A paper account as stored: free balance per currency, and orders (open and done) by client order id.</summary>
public sealed record PaperAccountSnapshot(IReadOnlyDictionary<string, decimal> Balances, IReadOnlyDictionary<string, Order> OrdersByClientId);
