using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The <see cref="PaperExchange"/> of a backtest, unchanged, reloaded from its account store every
/// <see cref="OrdersPerLap"/> orders. The paper exchange keeps every order it ever placed and scans them on each
/// call (to fill resting limit orders), which is right for a paper account but quadratic over a million candles;
/// a reload keeps balances and open orders and drops done ones (backtest client order ids are never reused).
/// </summary>
public sealed class CompactingPaperExchange(IMarketDataFeed feed, InMemoryPaperAccountStore account, IOptions<PaperExchangeOptions> options, TimeProvider time) : IExchange, IDisposable
{
    public const int OrdersPerLap = 200;
    private PaperExchange _inner = new(feed, account, options, time, NullLogger<PaperExchange>.Instance);
    private int _orders;

    public string Name => _inner.Name;

    public TradingMode Mode => _inner.Mode;

    public IReadOnlyCollection<string> Markets => _inner.Markets;

    public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken) => _inner.LoadMarketsAsync(cancellationToken);

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken) => _inner.FetchTickerAsync(symbol, cancellationToken);

    public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken) => _inner.FetchOrderBookAsync(symbol, limit, cancellationToken);

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
        _inner.FetchOhlcvAsync(symbol, timeframe, since, limit, cancellationToken);

    public Task<Balances> FetchBalanceAsync(CancellationToken cancellationToken) => _inner.FetchBalanceAsync(cancellationToken);

    public async Task<Order> CreateOrderAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        var order = await _inner.CreateOrderAsync(request, cancellationToken);
        if (++_orders % OrdersPerLap == 0)
        {
            _inner.Dispose();
            _inner = new PaperExchange(feed, account, options, time, NullLogger<PaperExchange>.Instance);
        }

        return order;
    }

    public Task<Order> CancelOrderAsync(string id, string symbol, CancellationToken cancellationToken) => _inner.CancelOrderAsync(id, symbol, cancellationToken);

    public Task<Order> FetchOrderAsync(string id, string symbol, CancellationToken cancellationToken) => _inner.FetchOrderAsync(id, symbol, cancellationToken);

    public Task<Order?> FetchOrderByClientIdAsync(string clientOrderId, string symbol, CancellationToken cancellationToken) => _inner.FetchOrderByClientIdAsync(clientOrderId, symbol, cancellationToken);

    public Task<IReadOnlyList<Order>> FetchOpenOrdersAsync(string? symbol, CancellationToken cancellationToken) => _inner.FetchOpenOrdersAsync(symbol, cancellationToken);

    public Task<IReadOnlyList<Trade>> FetchMyTradesAsync(string symbol, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
        _inner.FetchMyTradesAsync(symbol, since, limit, cancellationToken);

    public void Dispose() => _inner.Dispose();
}
