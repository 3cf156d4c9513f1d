using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// A paper spot account over replayed real candles. Quotes: the in-candle price path of
/// <see cref="CandleSeries.PriceWithin"/> with a modelled spread of
/// <c>max(MinSpreadPercent, RangeSpreadFactor × (high − low) / close)</c> around it. Market orders fill
/// whole at the touch (ask for buys, bid for sells) moved by <c>SlippagePercent</c> against the taker, and
/// pay <c>TakerFeePercent</c> of the cost in quote currency. A repeated client order id returns the
/// first fill (idempotent). Balances and fills are stored through <see cref="IPaperAccountStore"/>.
/// </summary>
public sealed class PaperExchange(
    CandleReplay replay,
    IPaperAccountStore accountStore,
    IOptions<PaperExchangeOptions> options,
    TimeProvider time,
    ILogger<PaperExchange> logger) : IExchange, IDisposable
{
    private readonly PaperExchangeOptions _options = options.Value;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Dictionary<string, decimal>? _balances;
    private Dictionary<string, Order>? _orders;

    public string Name => "paper-replay";

    public IReadOnlyCollection<string> Markets => replay.Symbols;

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken) =>
        Task.FromResult(TickerAt(symbol, time.GetUtcNow()));

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, int limit, CancellationToken cancellationToken)
    {
        var series = Series(symbol);
        if (!string.Equals(timeframe, series.Timeframe, StringComparison.Ordinal))
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"{symbol} is replayed in {series.Timeframe} candles, not {timeframe}");
        }

        var marketTime = replay.MarketTime(series, time.GetUtcNow());
        var current = series.IndexAt(marketTime);

        // Only closed candles: the one in force at market time is still forming.
        var lastClosed = series.Candles[current].OpenTime + series.Interval <= marketTime ? current : current - 1;
        var first = Math.Max(0, lastClosed - limit + 1);
        IReadOnlyList<Candle> result = lastClosed < 0 ? [] : series.Candles.Skip(first).Take(lastClosed - first + 1).ToArray();
        return Task.FromResult(result);
    }

    public async Task<Balances> FetchBalanceAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var balances = await BalancesAsync(cancellationToken);
            return new Balances(balances.ToDictionary(kv => kv.Key, kv => new Balance(kv.Value, 0m)));
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<Order> CreateOrderAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        if (request.Type != OrderType.Market)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, "the paper exchange fills market orders only in this version");
        }

        if (request.Amount <= 0m)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"amount must be positive, got {request.Amount}");
        }

        var now = time.GetUtcNow();
        var ticker = TickerAt(request.Symbol, now);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var balances = await BalancesAsync(cancellationToken);
            if (_orders!.TryGetValue(request.ClientOrderId, out var existing))
            {
                return existing;
            }

            // Work on a copy: the account changes only once the fill is stored, so a failed save charges nothing.
            var next = new Dictionary<string, decimal>(balances, StringComparer.Ordinal);
            var order = Fill(request, ticker, next, now);
            await accountStore.SaveFillAsync(next, order, cancellationToken);
            _balances = next;
            _orders[order.ClientOrderId] = order;
            logger.LogInformation(
                "Paper fill {OrderId} {Symbol} {Side} {Amount} at {Price}, fee {Fee} {FeeCurrency}",
                order.Id,
                order.Symbol,
                order.Side,
                order.Filled,
                order.Average,
                order.Fee,
                order.FeeCurrency);
            return order;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();

    internal Ticker TickerAt(string symbol, DateTimeOffset now)
    {
        var series = Series(symbol);
        var marketTime = replay.MarketTime(series, now);
        var candle = series.Candles[series.IndexAt(marketTime)];
        var price = CandleSeries.PriceWithin(candle, series.Interval, marketTime);
        var rangePercent = candle.Close == 0m ? 0m : (candle.High - candle.Low) / candle.Close * 100m;
        var spreadPercent = Math.Max(_options.MinSpreadPercent, _options.RangeSpreadFactor * rangePercent);
        var half = price * spreadPercent / 200m;
        return new Ticker(symbol, marketTime, Round(price - half), Round(price + half), Round(price), candle.High, candle.Low, candle.Volume);
    }

    private Order Fill(OrderRequest request, Ticker ticker, Dictionary<string, decimal> balances, DateTimeOffset now)
    {
        var baseCurrency = MarketSymbol.Base(request.Symbol);
        var quote = MarketSymbol.Quote(request.Symbol);
        var slip = _options.SlippagePercent / 100m;
        var price = Round(request.Side == OrderSide.Buy ? ticker.Ask * (1m + slip) : ticker.Bid * (1m - slip));
        var cost = request.Amount * price;
        var fee = Round(cost * _options.TakerFeePercent / 100m);
        if (cost < _options.MinNotional)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"order cost {cost:0.########} {quote} is below the minimum notional {_options.MinNotional}");
        }

        var quoteFree = balances.GetValueOrDefault(quote);
        var baseFree = balances.GetValueOrDefault(baseCurrency);
        if (request.Side == OrderSide.Buy)
        {
            if (quoteFree < cost + fee)
            {
                throw new ExchangeException(ExchangeErrorType.InsufficientFunds, $"needs {cost + fee:0.########} {quote}, has {quoteFree}");
            }

            balances[quote] = quoteFree - cost - fee;
            balances[baseCurrency] = baseFree + request.Amount;
        }
        else
        {
            if (baseFree < request.Amount)
            {
                throw new ExchangeException(ExchangeErrorType.InsufficientFunds, $"needs {request.Amount} {baseCurrency}, has {baseFree}");
            }

            balances[baseCurrency] = baseFree - request.Amount;
            balances[quote] = quoteFree + cost - fee;
        }

        return new Order(
            $"paper-{request.ClientOrderId}",
            request.ClientOrderId,
            request.Symbol,
            request.Type,
            request.Side,
            OrderStatus.Closed,
            request.Amount,
            request.Amount,
            price,
            cost,
            fee,
            quote,
            now);
    }

    /// <summary>Quotes and fills carry 8 decimals, like the exchange's own precision at most.</summary>
    private static decimal Round(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);

    private CandleSeries Series(string symbol) =>
        replay.TryGetSeries(symbol, out var series)
            ? series
            : throw new ExchangeException(ExchangeErrorType.BadSymbol, $"no replay data for {symbol} (markets: {string.Join(", ", replay.Symbols)})");

    private async Task<Dictionary<string, decimal>> BalancesAsync(CancellationToken cancellationToken)
    {
        if (_balances is not null)
        {
            return _balances;
        }

        var stored = await accountStore.LoadAsync(cancellationToken);
        _balances = stored is null
            ? new Dictionary<string, decimal>(StringComparer.Ordinal) { [_options.QuoteCurrency] = _options.StartingBalance }
            : new Dictionary<string, decimal>(stored.Balances, StringComparer.Ordinal);
        _orders = stored is null ? new Dictionary<string, Order>(StringComparer.Ordinal) : new Dictionary<string, Order>(stored.OrdersByClientId, StringComparer.Ordinal);
        return _balances;
    }
}
