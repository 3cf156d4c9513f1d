using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The paper account of a backtest: starts empty (a new account), then holds the latest balances and the orders
/// still open. Done orders are not kept: over a million candles they would pile up, and nothing asks for them
/// again (every backtest order has a fresh client order id).
/// </summary>
public sealed class InMemoryPaperAccountStore : IPaperAccountStore
{
    private readonly Dictionary<string, Order> _open = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, decimal> Balances { get; private set; } = new Dictionary<string, decimal>();

    public int OrdersSaved { get; private set; }

    public Task<PaperAccountSnapshot?> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(OrdersSaved == 0 ? null : new PaperAccountSnapshot(new Dictionary<string, decimal>(Balances, StringComparer.Ordinal), new Dictionary<string, Order>(_open, StringComparer.Ordinal)));

    public Task SaveOrdersAsync(IReadOnlyDictionary<string, decimal> balances, IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        Balances = balances;
        OrdersSaved += orders.Count;
        foreach (var order in orders)
        {
            if (order.Status == OrderStatus.Open)
            {
                _open[order.ClientOrderId] = order;
            }
            else
            {
                _open.Remove(order.ClientOrderId);
            }
        }

        return Task.CompletedTask;
    }
}
