using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// A paper spot account over an <see cref="IMarketDataFeed"/> (replayed real candles, or a live public feed).
/// Market orders walk the feed's order book (<see cref="PaperFillModel"/>), pay slippage and the taker fee; what
/// the book cannot fill is cancelled (partial fill, status <c>Expired</c>). Limit orders take what crosses at once
/// (taker) and rest for the remainder, reserving their funds; a resting order fills whole at its price (maker fee)
/// once the market trades through it. Orders below the market's minimum notional or beyond the free balance are
/// rejected. A repeated client order id returns the first order (idempotent). Balances and orders, open ones
/// included, are stored through <see cref="IPaperAccountStore"/>, so a restart resumes.
/// </summary>
public sealed class PaperExchange(
    IMarketDataFeed feed,
    IPaperAccountStore accountStore,
    IOptions<PaperExchangeOptions> options,
    TimeProvider time,
    ILogger<PaperExchange> logger) : IExchange, IDisposable
{
    private readonly PaperExchangeOptions _options = options.Value;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private Dictionary<string, decimal>? _balances;
    private Dictionary<string, Order>? _orders;

    public string Name => $"paper-{feed.Name}";

    public TradingMode Mode => TradingMode.Paper;

    public IReadOnlyCollection<string> Markets => feed.Symbols;

    public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken) => feed.LoadMarketsAsync(cancellationToken);

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken) => feed.FetchTickerAsync(symbol, cancellationToken);

    public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken) => feed.FetchOrderBookAsync(symbol, limit, cancellationToken);

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, int limit, CancellationToken cancellationToken) =>
        FetchOhlcvAsync(symbol, timeframe, null, limit, cancellationToken);

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
        feed.FetchOhlcvAsync(symbol, timeframe, since, limit, cancellationToken);

    public Task<Balances> FetchBalanceAsync(CancellationToken cancellationToken) =>
        WithAccountAsync(() =>
        {
            var used = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var order in _orders!.Values.Where(o => o.Status == OrderStatus.Open))
            {
                var (currency, amount) = Reservation(order, _options);
                used[currency] = used.GetValueOrDefault(currency) + amount;
            }

            var currencies = _balances!.Keys.Union(used.Keys, StringComparer.Ordinal);
            return Task.FromResult(new Balances(currencies.ToDictionary(c => c, c => new Balance(_balances.GetValueOrDefault(c), used.GetValueOrDefault(c)), StringComparer.Ordinal)));
        }, cancellationToken);

    public async Task<Order> CreateOrderAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        CheckAmount(request);

        if (request.Type == OrderType.Limit && request.Price is not > 0m)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, "a limit order needs a positive price");
        }

        var markets = await feed.LoadMarketsAsync(cancellationToken);
        if (!markets.TryGetValue(request.Symbol, out var market))
        {
            throw new ExchangeException(ExchangeErrorType.BadSymbol, $"no market {request.Symbol} (markets: {string.Join(", ", feed.Symbols)})");
        }

        return await WithAccountAsync(async () =>
        {
            if (_orders!.TryGetValue(request.ClientOrderId, out var existing))
            {
                return existing;
            }

            var book = await feed.FetchOrderBookAsync(request.Symbol, null, cancellationToken);

            // Work on a copy: the account changes only once the order is stored, so a failed save charges nothing.
            var next = new Dictionary<string, decimal>(_balances!, StringComparer.Ordinal);
            var order = request.Type == OrderType.Market
                ? FillMarket(request, market, book, next, _options, time.GetUtcNow())
                : FillLimit(request, market, book, next, _options, time.GetUtcNow());
            await accountStore.SaveOrdersAsync(next, [order], cancellationToken);
            _balances = next;
            _orders[order.ClientOrderId] = order;
            logger.LogInformation(
                "Paper order {OrderId} {Symbol} {Type} {Side} {Amount}: {Status}, filled {Filled} at {Price}, fee {Fee} {FeeCurrency}",
                order.Id, order.Symbol, order.Type, order.Side, order.Amount, order.Status, order.Filled, order.Average, order.Fee, order.FeeCurrency);
            return order;
        }, cancellationToken);
    }

    public Task<Order> CancelOrderAsync(string id, string symbol, CancellationToken cancellationToken) =>
        WithAccountAsync(async () =>
        {
            var order = _orders!.Values.FirstOrDefault(o => o.Id == id && o.Symbol == symbol && o.Status == OrderStatus.Open)
                ?? throw new ExchangeException(ExchangeErrorType.OrderNotFound, $"no open paper order {id} on {symbol}");
            var next = new Dictionary<string, decimal>(_balances!, StringComparer.Ordinal);
            var canceled = Cancel(order, next, _options);
            await accountStore.SaveOrdersAsync(next, [canceled], cancellationToken);
            _balances = next;
            _orders[canceled.ClientOrderId] = canceled;
            return canceled;
        }, cancellationToken);

    public Task<Order> FetchOrderAsync(string id, string symbol, CancellationToken cancellationToken) =>
        WithAccountAsync(() => Task.FromResult(
            _orders!.Values.FirstOrDefault(o => o.Id == id && o.Symbol == symbol)
                ?? throw new ExchangeException(ExchangeErrorType.OrderNotFound, $"no paper order {id} on {symbol}")), cancellationToken);

    public Task<Order?> FetchOrderByClientIdAsync(string clientOrderId, string symbol, CancellationToken cancellationToken) =>
        WithAccountAsync(() => Task.FromResult(_orders!.TryGetValue(clientOrderId, out var order) && order.Symbol == symbol ? order : null), cancellationToken);

    public Task<IReadOnlyList<Order>> FetchOpenOrdersAsync(string? symbol, CancellationToken cancellationToken) =>
        WithAccountAsync(() => Task.FromResult<IReadOnlyList<Order>>(
            _orders!.Values.Where(o => o.Status == OrderStatus.Open && (symbol is null || o.Symbol == symbol)).OrderBy(o => o.Timestamp).ToArray()), cancellationToken);

    /// <summary>One trade per order that filled anything (the paper account keeps orders, not individual fills).</summary>
    public Task<IReadOnlyList<Trade>> FetchMyTradesAsync(string symbol, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
        WithAccountAsync(() => Task.FromResult<IReadOnlyList<Trade>>(
            _orders!.Values
                .Where(o => o.Symbol == symbol && o.Filled > 0m && (since is null || o.Timestamp >= since))
                .OrderBy(o => o.Timestamp)
                .Take(limit ?? int.MaxValue)
                .Select(o => new Trade($"{o.Id}-fill", o.Id, o.Symbol, o.Side, o.Type == OrderType.Market ? TakerOrMaker.Taker : TakerOrMaker.Maker,
                    o.Average, o.Filled, o.Cost, o.Fee, o.FeeCurrency, o.Timestamp))
                .ToArray()), cancellationToken);

    public void Dispose() => _lock.Dispose();

    /// <summary>
    /// A market order against <paramref name="book"/>: walks it, pays slippage and the taker fee, and books the fill in
    /// <paramref name="balances"/> (changed only when the order is valid and funded; otherwise it throws the exchange's
    /// error). The paper exchange and the fast backtest path both fill through here.
    /// </summary>
    public static Order FillMarket(OrderRequest request, MarketInfo market, OrderBook book, Dictionary<string, decimal> balances, PaperExchangeOptions options, DateTimeOffset now)
    {
        CheckAmount(request);
        var amount = market.AmountToPrecision(request.Amount);
        var levels = request.Side == OrderSide.Buy ? book.Asks : book.Bids;
        if (levels.Count == 0)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"no {(request.Side == OrderSide.Buy ? "asks" : "bids")} in the {request.Symbol} book");
        }

        if (market.Violation(amount, levels[0].Price, isMarketOrder: true) is { } violation)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, violation);
        }

        var walk = PaperFillModel.Walk(levels, request.Side, amount, null);
        var price = PaperFillModel.Slipped(walk.AveragePrice, request.Side, options.SlippagePercent, null);
        var cost = walk.Filled * price;
        var fee = FeeOf(request.Side, walk.Filled, cost, options.TakerFeePercent, options);
        Settle(request.Side, market, walk.Filled, cost, fee, balances, reserve: 0m);
        return NewOrder(request, amount, walk.Filled, price, cost, fee, walk.Filled == amount ? OrderStatus.Closed : OrderStatus.Expired, null, now);
    }

    /// <summary>
    /// The fee of a fill and the asset it is charged in: as Binance spot by default (a BUY pays in the base asset it
    /// receives, a SELL in the quote asset), or every fee in quote (<see cref="PaperExchangeOptions.FeeAsset"/>).
    /// </summary>
    public static FeeCharge FeeOf(OrderSide side, decimal filled, decimal cost, decimal feePercent, PaperExchangeOptions options) =>
        side == OrderSide.Buy && options.BuyFeeInBase
            ? new FeeCharge(FeeAssets.Received, PaperFillModel.Fee(filled, feePercent))
            : new FeeCharge(FeeAssets.Quote, PaperFillModel.Fee(cost, feePercent));

    private static void CheckAmount(OrderRequest request)
    {
        if (request.Amount <= 0m)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"amount must be positive, got {request.Amount}");
        }
    }

    /// <summary>
    /// A limit order against <paramref name="book"/>: takes what crosses at once (walked, slipped no further than the
    /// limit, taker fee) and leaves the rest open with its funds reserved in <paramref name="balances"/> (changed only when
    /// the order is valid and funded). The paper exchange and the backtest driver both fill through here.
    /// </summary>
    public static Order FillLimit(OrderRequest request, MarketInfo market, OrderBook book, Dictionary<string, decimal> balances, PaperExchangeOptions options, DateTimeOffset now)
    {
        CheckAmount(request);
        if (request.Price is not > 0m)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, "a limit order needs a positive price");
        }

        var amount = market.AmountToPrecision(request.Amount);
        var limit = market.PriceToPrecision(request.Price!.Value);
        if (market.Violation(amount, limit, isMarketOrder: false) is { } violation)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, violation);
        }

        var levels = request.Side == OrderSide.Buy ? book.Asks : book.Bids;
        var marketable = levels.Count > 0 && (request.Side == OrderSide.Buy ? levels[0].Price <= limit : levels[0].Price >= limit);
        if (marketable && request.PostOnly)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, $"post-only {request.Side} at {limit} would take liquidity (best {levels[0].Price})");
        }

        var walk = marketable ? PaperFillModel.Walk(levels, request.Side, amount, limit) : default;
        var price = walk.Filled > 0m ? PaperFillModel.Slipped(walk.AveragePrice, request.Side, options.SlippagePercent, limit) : 0m;
        var cost = walk.Filled * price;
        var fee = FeeOf(request.Side, walk.Filled, cost, options.TakerFeePercent, options);
        var order = NewOrder(request, amount, walk.Filled, price, cost, fee, walk.Filled == amount ? OrderStatus.Closed : OrderStatus.Open, limit, now);
        var reserve = order.Status == OrderStatus.Open ? Reservation(order, options).Amount : 0m;
        Settle(request.Side, market, walk.Filled, cost, fee, balances, reserve);
        return order;
    }

    /// <summary>Checks the free balance and books a fill plus the reservation of what rests (quote for a buy, base for a sell).</summary>
    /// <param name="fee">The fee and where it is charged: <see cref="FeeAssets.Received"/> (the base asset a BUY receives) or <see cref="FeeAssets.Quote"/>.</param>
    private static void Settle(OrderSide side, MarketInfo market, decimal filled, decimal cost, FeeCharge fee, Dictionary<string, decimal> balances, decimal reserve)
    {
        var quoteFree = balances.GetValueOrDefault(market.Quote);
        var baseFree = balances.GetValueOrDefault(market.Base);
        var feeInBase = fee.Currency == FeeAssets.Received;
        if (side == OrderSide.Buy)
        {
            var needed = cost + (feeInBase ? 0m : fee.Amount) + reserve;
            if (quoteFree < needed)
            {
                throw new ExchangeException(ExchangeErrorType.InsufficientFunds, $"Account has insufficient balance for requested action: needs {needed:0.########} {market.Quote}, has {quoteFree}");
            }

            balances[market.Quote] = quoteFree - needed;
            balances[market.Base] = baseFree + filled - (feeInBase ? fee.Amount : 0m);
        }
        else
        {
            var needed = filled + reserve;
            if (baseFree < needed)
            {
                throw new ExchangeException(ExchangeErrorType.InsufficientFunds, $"Account has insufficient balance for requested action: needs {needed} {market.Base}, has {baseFree}");
            }

            balances[market.Base] = baseFree - needed;
            balances[market.Quote] = quoteFree + cost - fee.Amount;
        }
    }

    private static Order NewOrder(OrderRequest request, decimal amount, decimal filled, decimal average, decimal cost, FeeCharge fee, OrderStatus status, decimal? limit, DateTimeOffset now) =>
        new($"paper-{request.ClientOrderId}", request.ClientOrderId, request.Symbol, request.Type, request.Side, status, amount, filled, average, cost, fee.Amount,
            FeeCurrency(request.Symbol, fee), now, limit ?? (filled > 0m ? average : null), limit is null ? null : "GTC", request.PostOnly);

    private static string FeeCurrency(string symbol, FeeCharge fee) =>
        fee.Currency == FeeAssets.Received ? MarketSymbol.Base(symbol) : MarketSymbol.Quote(symbol);

    /// <summary>Cancels the open <paramref name="order"/>: what it reserved returns to <paramref name="balances"/>.</summary>
    public static Order Cancel(Order order, Dictionary<string, decimal> balances, PaperExchangeOptions options)
    {
        var (currency, reserved) = Reservation(order, options);
        balances[currency] = balances.GetValueOrDefault(currency) + reserved;
        return order with { Status = OrderStatus.Canceled };
    }

    /// <summary>What an open order holds back: quote (remaining × price plus the maker fee) for a buy, base for a sell.</summary>
    private static (string Currency, decimal Amount) Reservation(Order order, PaperExchangeOptions options)
    {
        if (order.Side == OrderSide.Sell)
        {
            return (MarketSymbol.Base(order.Symbol), order.Remaining);
        }

        var cost = order.Remaining * order.Price!.Value;
        return (MarketSymbol.Quote(order.Symbol), cost + (options.BuyFeeInBase ? 0m : PaperFillModel.Fee(cost, options.MakerFeePercent)));
    }

    /// <summary>Fills resting limit orders the market has traded through since they were placed, whole, at their price (maker).</summary>
    private async Task MatchRestingAsync(CancellationToken cancellationToken)
    {
        var filled = new List<Order>();
        var next = new Dictionary<string, decimal>(_balances!, StringComparer.Ordinal);
        foreach (var order in _orders!.Values.Where(o => o.Status == OrderStatus.Open).OrderBy(o => o.Timestamp).Take(IPaperAccountStore.MaxOrdersPerSave))
        {
            (decimal Low, decimal High) range;
            try
            {
                range = await feed.PriceRangeSinceAsync(order.Symbol, order.Timestamp, cancellationToken);
            }
            catch (ExchangeException ex)
            {
                logger.LogDebug("Resting order {OrderId} not matched now: {Error}", order.Id, ex.Message);
                continue;
            }

            var limit = order.Price!.Value;
            if (order.Side == OrderSide.Buy ? range.Low > limit : range.High < limit)
            {
                continue;
            }

            var (currency, reserved) = Reservation(order, _options);
            var cost = order.Remaining * limit;
            var fee = FeeOf(order.Side, order.Remaining, cost, _options.MakerFeePercent, _options);
            var feeInBase = fee.Currency == FeeAssets.Received;
            next[currency] = next.GetValueOrDefault(currency) + reserved;
            var quote = MarketSymbol.Quote(order.Symbol);
            var baseCurrency = MarketSymbol.Base(order.Symbol);
            if (order.Side == OrderSide.Buy)
            {
                next[quote] = next.GetValueOrDefault(quote) - cost - (feeInBase ? 0m : fee.Amount);
                next[baseCurrency] = next.GetValueOrDefault(baseCurrency) + order.Remaining - (feeInBase ? fee.Amount : 0m);
            }
            else
            {
                next[baseCurrency] = next.GetValueOrDefault(baseCurrency) - order.Remaining;
                next[quote] = next.GetValueOrDefault(quote) + cost - fee.Amount;
            }

            var totalCost = order.Cost + cost;
            filled.Add(order with
            {
                Status = OrderStatus.Closed,
                Filled = order.Amount,
                Cost = totalCost,
                Average = PaperFillModel.Round(totalCost / order.Amount),
                Fee = order.Fee + fee.Amount,
                FeeCurrency = FeeCurrency(order.Symbol, fee),
            });
        }

        if (filled.Count == 0)
        {
            return;
        }

        await accountStore.SaveOrdersAsync(next, filled, cancellationToken);
        _balances = next;
        foreach (var order in filled)
        {
            _orders[order.ClientOrderId] = order;
            logger.LogInformation("Paper limit order {OrderId} {Symbol} {Side} filled {Filled} at {Price} (maker)", order.Id, order.Symbol, order.Side, order.Filled, order.Price);
        }
    }

    /// <summary>Loads the account once, fills what the market crossed, then runs <paramref name="body"/>, all under the account lock.</summary>
    private async Task<T> WithAccountAsync<T>(Func<Task<T>> body, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_balances is null)
            {
                var stored = await accountStore.LoadAsync(cancellationToken);
                _balances = stored is null
                    ? _options.OpeningBalances()
                    : new Dictionary<string, decimal>(stored.Balances, StringComparer.Ordinal);
                _orders = stored is null ? new Dictionary<string, Order>(StringComparer.Ordinal) : new Dictionary<string, Order>(stored.OrdersByClientId, StringComparer.Ordinal);
            }

            await MatchRestingAsync(cancellationToken);
            return await body();
        }
        finally
        {
            _lock.Release();
        }
    }
}
