using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>
/// Binance spot behind the unified port: public REST (24h ticker, book ticker, depth, klines, exchangeInfo) and
/// SIGNED REST (order, openOrders, myTrades, account). Amounts are rounded down to the step size and prices to
/// the tick size; an order below the market's minimum amount or notional is refused before anything is sent.
/// The client order id goes out as <c>newClientOrderId</c>, so Binance itself refuses a duplicate; when an order
/// call fails without an answer, the order is looked up by that id before the failure is reported.
/// Also serves the paper exchange as its live public feed (<see cref="IMarketDataFeed"/>).
/// </summary>
public sealed partial class BinanceSpotExchange(
    BinanceRestClient rest,
    IOptions<BinanceOptions> options,
    TradingMode mode,
    TimeProvider time,
    ILogger<BinanceSpotExchange> logger) : IExchange, IMarketDataFeed, IDisposable
{
    private readonly SemaphoreSlim _marketsLock = new(1, 1);
    private readonly TimeSpan _marketsRefresh = options.Value.MarketsRefresh;
    private Dictionary<string, BinanceMarket>? _markets;
    private Dictionary<string, string>? _symbolsById;
    private DateTimeOffset _marketsLoadedAt;

    public string Name => mode == TradingMode.Live ? "binance" : mode == TradingMode.Testnet ? "binance-testnet" : "binance-public";

    public TradingMode Mode => mode;

    public IReadOnlyCollection<string> Markets => _markets?.Keys ?? (IReadOnlyCollection<string>)[];

    IReadOnlyCollection<string> IMarketDataFeed.Symbols => Markets;

    string IMarketDataFeed.Name => "binance";

    public async Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken)
    {
        var markets = await MarketsAsync(cancellationToken);
        return markets.ToDictionary(kv => kv.Key, kv => kv.Value.Info, StringComparer.Ordinal);
    }

    public async Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken)
    {
        using var doc = await rest.GetAsync("/api/v3/ticker/24hr", [new("symbol", Id(symbol))], 2, cancellationToken);
        return BinanceParsers.Ticker(doc.RootElement, symbol);
    }

    public async Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string>> { new("symbol", Id(symbol)) };
        if (limit is { } n)
        {
            query.Add(new("limit", n.ToString(CultureInfo.InvariantCulture)));
        }

        var weight = (limit ?? 100) switch { <= 100 => 5, <= 500 => 25, <= 1000 => 50, _ => 250 };
        using var doc = await rest.GetAsync("/api/v3/depth", query, weight, cancellationToken);
        return BinanceParsers.OrderBook(doc.RootElement, symbol);
    }

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, int limit, CancellationToken cancellationToken) =>
        FetchOhlcvAsync(symbol, timeframe, null, limit, cancellationToken);

    public async Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken)
    {
        // Binance includes the candle still forming; without 'since' ask for one more so 'limit' closed ones remain.
        var ask = since is null && limit is { } l ? Math.Min(l + 1, 1000) : limit ?? 500;
        var query = new List<KeyValuePair<string, string>> { new("interval", timeframe), new("limit", ask.ToString(CultureInfo.InvariantCulture)), new("symbol", Id(symbol)) };
        if (since is { } from)
        {
            query.Add(new("startTime", from.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        }

        using var doc = await rest.GetAsync("/api/v3/klines", query, 2, cancellationToken);
        var now = time.GetUtcNow();
        var closed = doc.RootElement.EnumerateArray()
            .Where(k => BinanceParsers.CandleCloseTime(k) < now)
            .Select(BinanceParsers.Candle)
            .ToList();
        return limit is { } max && closed.Count > max ? closed[^max..] : closed;
    }

    public async Task<Balances> FetchBalanceAsync(CancellationToken cancellationToken)
    {
        using var doc = await rest.SignedAsync(HttpMethod.Get, "/api/v3/account", [], 20, cancellationToken);
        return BinanceParsers.Balances(doc.RootElement);
    }

    public async Task<Order> CreateOrderAsync(OrderRequest request, CancellationToken cancellationToken)
    {
        var market = await MarketAsync(request.Symbol, cancellationToken);
        var info = market.Info;
        var amount = info.AmountToPrecision(request.Amount);
        var price = request.Price is { } p ? info.PriceToPrecision(p) : (decimal?)null;
        var clientOrderId = ClientOrderId(request.ClientOrderId);
        var parameters = new List<KeyValuePair<string, string>>
        {
            new("symbol", info.Id),
            new("side", request.Side == OrderSide.Buy ? "BUY" : "SELL"),
            new("newClientOrderId", clientOrderId),
            new("newOrderRespType", "FULL"),
        };

        decimal? notionalPrice = price;
        if (request.Type == OrderType.Market)
        {
            parameters.Add(new("type", "MARKET"));
            if (request.Side == OrderSide.Buy && price is { } expected)
            {
                // ccxt's Binance behaviour: a market buy with a price spends amount × price of the quote currency.
                var quote = Math.Round(amount * expected, market.QuotePrecision, MidpointRounding.ToZero);
                parameters.Add(new("quoteOrderQty", BinanceParsers.Format(quote)));
            }
            else
            {
                parameters.Add(new("quantity", BinanceParsers.Format(amount)));
                if (info.MinNotional is not null && info.MinNotionalAppliesToMarketOrders)
                {
                    notionalPrice = await TouchAsync(info, request.Side, cancellationToken);
                }
            }
        }
        else
        {
            if (price is not > 0m)
            {
                throw new ExchangeException(ExchangeErrorType.InvalidOrder, "a limit order needs a positive price");
            }

            parameters.Add(new("type", request.PostOnly ? "LIMIT_MAKER" : "LIMIT"));
            parameters.Add(new("quantity", BinanceParsers.Format(amount)));
            parameters.Add(new("price", BinanceParsers.Format(price.Value)));
            if (!request.PostOnly)
            {
                parameters.Add(new("timeInForce", "GTC"));
            }
        }

        if (info.Violation(amount, notionalPrice, request.Type == OrderType.Market) is { } violation)
        {
            throw new ExchangeException(ExchangeErrorType.InvalidOrder, violation);
        }

        try
        {
            using var doc = await rest.SignedAsync(HttpMethod.Post, "/api/v3/order", parameters, 1, cancellationToken);
            var order = BinanceParsers.Order(doc.RootElement, request.Symbol);
            logger.LogInformation("Binance order {OrderId} {ClientOrderId} {Symbol} {Type} {Side} {Amount}: {Status}", order.Id, order.ClientOrderId, order.Symbol, order.Type, order.Side, order.Amount, order.Status);
            return order;
        }
        catch (ExchangeException ex) when (ex.IsTransient || BinanceErrors.Code(ex) == -2010 && ex.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase))
        {
            // No answer, or Binance already has this client order id: the order may exist. Find it before failing.
            if (await TryFetchByClientOrderIdAsync(info, clientOrderId, cancellationToken) is { } placed)
            {
                logger.LogWarning("Order {ClientOrderId} was placed although the call failed ({ErrorType}); returning it", clientOrderId, ex.ErrorType);
                return placed;
            }

            throw;
        }
    }

    public async Task<Order> CancelOrderAsync(string id, string symbol, CancellationToken cancellationToken)
    {
        using var doc = await rest.SignedAsync(HttpMethod.Delete, "/api/v3/order", [new("symbol", Id(symbol)), new("orderId", id)], 1, cancellationToken);
        return BinanceParsers.Order(doc.RootElement, symbol);
    }

    public async Task<Order> FetchOrderAsync(string id, string symbol, CancellationToken cancellationToken)
    {
        using var doc = await rest.SignedAsync(HttpMethod.Get, "/api/v3/order", [new("symbol", Id(symbol)), new("orderId", id)], 4, cancellationToken);
        return BinanceParsers.Order(doc.RootElement, symbol);
    }

    public async Task<IReadOnlyList<Order>> FetchOpenOrdersAsync(string? symbol, CancellationToken cancellationToken)
    {
        var bySymbol = symbol is null ? (await MarketsAsync(cancellationToken), _symbolsById!).Item2 : null;
        using var doc = await rest.SignedAsync(HttpMethod.Get, "/api/v3/openOrders", symbol is null ? [] : [new("symbol", Id(symbol))], symbol is null ? 80 : 6, cancellationToken);
        return doc.RootElement.EnumerateArray()
            .Select(o => BinanceParsers.Order(o, symbol ?? bySymbol!.GetValueOrDefault(o.GetProperty("symbol").GetString()!, o.GetProperty("symbol").GetString()!)))
            .ToList();
    }

    public async Task<IReadOnlyList<Trade>> FetchMyTradesAsync(string symbol, DateTimeOffset? since, int? limit, CancellationToken cancellationToken)
    {
        var query = new List<KeyValuePair<string, string>> { new("symbol", Id(symbol)) };
        if (since is { } from)
        {
            query.Add(new("startTime", from.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)));
        }

        if (limit is { } n)
        {
            query.Add(new("limit", n.ToString(CultureInfo.InvariantCulture)));
        }

        using var doc = await rest.SignedAsync(HttpMethod.Get, "/api/v3/myTrades", query, 20, cancellationToken);
        return doc.RootElement.EnumerateArray().Select(t => BinanceParsers.Trade(t, symbol)).ToList();
    }

    async Task<(decimal Low, decimal High)> IMarketDataFeed.PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var ticker = await FetchTickerAsync(symbol, cancellationToken);
        var candles = await FetchOhlcvAsync(symbol, "1m", since, 1000, cancellationToken);
        return (Math.Min(ticker.Ask, candles.Count == 0 ? ticker.Ask : candles.Min(c => c.Low)), Math.Max(ticker.Bid, candles.Count == 0 ? ticker.Bid : candles.Max(c => c.High)));
    }

    public void Dispose() => _marketsLock.Dispose();

    /// <summary>
    /// Binance accepts client order ids of up to 36 characters from <c>[.A-Z:/a-z0-9_-]</c>. A longer or other id is
    /// replaced by a stable hash of it, so the same request always carries the same id (idempotency survives).
    /// </summary>
    internal static string ClientOrderId(string id) =>
        ValidClientOrderId().IsMatch(id) ? id : "nt" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..34];

    [GeneratedRegex("^[.A-Z:/a-z0-9_-]{1,36}$")]
    private static partial Regex ValidClientOrderId();

    private static string Id(string symbol) =>
        MarketSymbol.TryNormalize(symbol, out var s) && s == symbol
            ? symbol.Replace("/", string.Empty, StringComparison.Ordinal)
            : throw new ExchangeException(ExchangeErrorType.BadSymbol, $"'{symbol}' is not a unified BASE/QUOTE symbol");

    private async Task<decimal> TouchAsync(MarketInfo info, OrderSide side, CancellationToken cancellationToken)
    {
        using var doc = await rest.GetAsync("/api/v3/ticker/bookTicker", [new("symbol", info.Id)], 2, cancellationToken);
        var t = BinanceParsers.Ticker(doc.RootElement, info.Symbol);
        return side == OrderSide.Buy ? t.Ask : t.Bid;
    }

    public async Task<Order?> FetchOrderByClientIdAsync(string clientOrderId, string symbol, CancellationToken cancellationToken)
    {
        var info = (await MarketAsync(symbol, cancellationToken)).Info;
        try
        {
            using var doc = await rest.SignedAsync(HttpMethod.Get, "/api/v3/order", [new("symbol", info.Id), new("origClientOrderId", ClientOrderId(clientOrderId))], 4, cancellationToken);
            return BinanceParsers.Order(doc.RootElement, info.Symbol);
        }
        catch (ExchangeException ex) when (ex.ErrorType == ExchangeErrorType.OrderNotFound)
        {
            // Only "no such order" means it was never placed; any other failure leaves the order's fate unknown and throws.
            return null;
        }
    }

    private async Task<Order?> TryFetchByClientOrderIdAsync(MarketInfo info, string clientOrderId, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = await rest.SignedAsync(HttpMethod.Get, "/api/v3/order", [new("symbol", info.Id), new("origClientOrderId", clientOrderId)], 4, cancellationToken);
            return BinanceParsers.Order(doc.RootElement, info.Symbol);
        }
        catch (ExchangeException)
        {
            return null;
        }
    }

    private async Task<BinanceMarket> MarketAsync(string symbol, CancellationToken cancellationToken)
    {
        var markets = await MarketsAsync(cancellationToken);
        return markets.TryGetValue(symbol, out var market)
            ? market
            : throw new ExchangeException(ExchangeErrorType.BadSymbol, $"Binance has no spot market {symbol}");
    }

    private async Task<Dictionary<string, BinanceMarket>> MarketsAsync(CancellationToken cancellationToken)
    {
        if (_markets is { } cached && time.GetUtcNow() - _marketsLoadedAt < _marketsRefresh)
        {
            return cached;
        }

        await _marketsLock.WaitAsync(cancellationToken);
        try
        {
            if (_markets is null || time.GetUtcNow() - _marketsLoadedAt >= _marketsRefresh)
            {
                using var doc = await rest.GetAsync("/api/v3/exchangeInfo", [], 20, cancellationToken);
                var markets = BinanceParsers.Markets(doc.RootElement);
                _symbolsById = markets.ToDictionary(m => m.Info.Id, m => m.Info.Symbol, StringComparer.Ordinal);
                _markets = markets.DistinctBy(m => m.Info.Symbol).ToDictionary(m => m.Info.Symbol, StringComparer.Ordinal);
                _marketsLoadedAt = time.GetUtcNow();
                logger.LogInformation("Binance markets loaded: {Count} spot markets", _markets.Count);
            }

            return _markets;
        }
        finally
        {
            _marketsLock.Release();
        }
    }
}
