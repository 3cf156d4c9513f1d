using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Backtesting;

/// <summary>
/// The paper account of a backtest. The paper exchange keeps balances and orders itself after the first load,
/// so this only has to start empty (a new account) and accept writes; it keeps the latest balances for the report.
/// </summary>
public sealed class InMemoryPaperAccountStore : IPaperAccountStore
{
    public IReadOnlyDictionary<string, decimal> Balances { get; private set; } = new Dictionary<string, decimal>();

    public int OrdersSaved { get; private set; }

    public Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken) => Task.FromResult<PaperAccountSnapshot?>(null);

    public Task SaveOrdersAsync(IReadOnlyDictionary<string, decimal> balances, IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        Balances = balances;
        OrdersSaved += orders.Count;
        return Task.CompletedTask;
    }
}
