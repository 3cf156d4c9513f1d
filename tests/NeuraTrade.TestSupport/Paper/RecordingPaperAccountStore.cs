using NeuraTrade.Core.Trading;

namespace NeuraTrade.TestSupport;

/// <summary>
/// A paper account kept in memory like a durable store: a copy on every load and save, every order kept by client id,
/// the saves counted, and the next save made to fail on demand (storage down). The backtest's own store keeps only open
/// orders, for memory over long runs; tests read the orders back.
/// </summary>
public sealed class RecordingPaperAccountStore : IPaperAccountStore
{
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);

    public Dictionary<string, decimal>? Balances { get; private set; }

    public int Saves { get; private set; }

    /// <summary>When set, the next save throws (and clears it) without changing anything.</summary>
    public bool FailNextSave { get; set; }

    public IReadOnlyDictionary<string, Order> Orders => _orders;

    public Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Balances is null
            ? null
            : new PaperAccountSnapshot(new Dictionary<string, decimal>(Balances), new Dictionary<string, Order>(_orders)));

    public Task SaveOrdersAsync(IReadOnlyDictionary<string, decimal> balances, IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        if (FailNextSave)
        {
            FailNextSave = false;
            throw new IOException("storage unavailable");
        }

        Balances = new Dictionary<string, decimal>(balances);
        foreach (var order in orders)
        {
            _orders[order.ClientOrderId] = order;
        }

        Saves++;
        return Task.CompletedTask;
    }
}
