using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>
/// The stand-in's HTTP side: its routes on the loopback server, the SIGNED request checks (API key header, HMAC-SHA256
/// of the payload, timestamp within recvWindow), Binance's error bodies, injected failures, and a raw signed client
/// for tests that talk to the stand-in without our adapter.
/// </summary>
internal sealed partial class BinanceSpotAccount
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Dictionary<(string Method, string Path), Queue<Fault>> _faults = [];

    /// <summary>
    /// The next <paramref name="times"/> calls to (<paramref name="method"/>, <paramref name="path"/>) answer
    /// <paramref name="status"/> with <paramref name="body"/> (default Binance's -1001 "Internal error"). With
    /// <paramref name="afterExecuting"/> the request is carried out first and only its answer is lost, as when Binance
    /// answers -1007 "execution status unknown" for an order it did place.
    /// </summary>
    public void FailNext(string method, string path, int status = 503, string? body = null, bool afterExecuting = false, int times = 1)
    {
        lock (_gate)
        {
            if (!_faults.TryGetValue((method, path), out var queue))
            {
                _faults[(method, path)] = queue = new Queue<Fault>();
            }

            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(new Fault(status, body ?? """{"code":-1001,"msg":"Internal error; unable to process your request. Please try again."}""", afterExecuting));
            }
        }
    }

    /// <summary>
    /// Sends a request the way Binance documents it, signed (timestamp, recvWindow, HMAC-SHA256 hex signature last,
    /// X-MBX-APIKEY) when <paramref name="signed"/>: parameters in the query, or in the form body for POST.
    /// </summary>
    public async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, IEnumerable<(string Key, string Value)> parameters, bool signed = true)
    {
        var pairs = parameters.ToList();
        if (signed)
        {
            pairs.Add(("timestamp", Server.ServerTime().ToUnixTimeMilliseconds().ToString(Inv)));
            pairs.Add(("recvWindow", "5000"));
        }

        var payload = string.Join('&', pairs.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        if (signed)
        {
            payload += "&signature=" + Hmac(payload);
        }

        using var http = new HttpClient { BaseAddress = Server.BaseUrl };
        using var request = new HttpRequestMessage(method, method == HttpMethod.Post || payload.Length == 0 ? path : $"{path}?{payload}");
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(payload, Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        request.Headers.Add("X-MBX-APIKEY", ExchangeFixtures.ApiKey);
        using var response = await http.SendAsync(request);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return ((int)response.StatusCode, doc.RootElement.Clone());
    }

    private static string Num(decimal value) => value.ToString("0.00000000", Inv);

    private static string Hmac(string payload) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ExchangeFixtures.ApiSecret), Encoding.UTF8.GetBytes(payload)));

    private void MapRoutes()
    {
        Route("GET", "/api/v3/exchangeInfo", signed: false, _ => ExchangeInfo());
        Route("GET", "/api/v3/ticker/bookTicker", signed: false, BookTicker);
        Route("GET", "/api/v3/ticker/24hr", signed: false, DayTicker);
        Route("GET", "/api/v3/depth", signed: false, Depth);
        Route("POST", "/api/v3/order", signed: true, PlaceOrder);
        Route("GET", "/api/v3/order", signed: true, QueryOrder);
        Route("DELETE", "/api/v3/order", signed: true, CancelOrder);
        Route("GET", "/api/v3/openOrders", signed: true, OpenOrders);
        Route("GET", "/api/v3/account", signed: true, _ => AccountInfo());
        Route("GET", "/api/v3/myTrades", signed: true, MyTrades);
    }

    private void Route(string method, string path, bool signed, Func<Args, object> handle) =>
        Server.Respond(method, path, request =>
        {
            lock (_gate)
            {
                Fault? fault = _faults.TryGetValue((method, path), out var queue) && queue.Count > 0 ? queue.Dequeue() : null;
                if (fault is { AfterExecuting: false })
                {
                    return new CannedResponse(fault.Status, fault.Body);
                }

                CannedResponse answer;
                try
                {
                    var args = new Args(request.Parameters);
                    if (signed)
                    {
                        CheckSigned(request, args);
                    }

                    answer = new CannedResponse(200, JsonSerializer.Serialize(handle(args)));
                }
                catch (Rejection r)
                {
                    answer = new CannedResponse(r.Status, JsonSerializer.Serialize(new { code = r.Code, msg = r.Message }));
                }

                return fault is null ? answer : new CannedResponse(fault.Status, fault.Body);
            }
        });

    private void CheckSigned(RecordedRequest request, Args args)
    {
        if (!request.Headers.TryGetValue("X-MBX-APIKEY", out var key) || key != ExchangeFixtures.ApiKey)
        {
            throw new Rejection(-2015, "Invalid API-key, IP, or permissions for action.", 401);
        }

        var payload = request.Payload;
        var at = payload.LastIndexOf("&signature=", StringComparison.Ordinal);
        if (at < 0 || !string.Equals(payload[(at + "&signature=".Length)..], Hmac(payload[..at]), StringComparison.OrdinalIgnoreCase))
        {
            throw new Rejection(-1022, "Signature for this request is not valid.");
        }

        var timestamp = args.Decimal("timestamp") ?? throw new Rejection(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
        var window = args.Decimal("recvWindow") ?? 5000m;
        var now = Server.ServerTime().ToUnixTimeMilliseconds();
        if (timestamp > now + 1000 || now - timestamp > window)
        {
            throw new Rejection(-1021, "Timestamp for this request is outside of the recvWindow.");
        }
    }

    private Dictionary<string, object?> AccountInfo() => new()
    {
        ["makerCommission"] = (int)(MakerRate * 10_000m),
        ["takerCommission"] = (int)(TakerRate * 10_000m),
        ["buyerCommission"] = 0,
        ["sellerCommission"] = 0,
        ["commissionRates"] = new { maker = Num(MakerRate), taker = Num(TakerRate), buyer = Num(0m), seller = Num(0m) },
        ["canTrade"] = true,
        ["canWithdraw"] = true,
        ["canDeposit"] = true,
        ["brokered"] = false,
        ["requireSelfTradePrevention"] = false,
        ["preventSor"] = false,
        ["updateTime"] = Server.ServerTime().ToUnixTimeMilliseconds(),
        ["accountType"] = "SPOT",
        ["balances"] = _wallets.Select(w => new { asset = w.Key, free = Num(w.Value.Free), locked = Num(w.Value.Locked) }).ToList(),
        ["permissions"] = new[] { "SPOT" },
    };

    /// <summary>GET /api/v3/myTrades: one market's fills, oldest first; by order, from a time or trade id, at most limit (500, max 1000).</summary>
    private List<Dictionary<string, object?>> MyTrades(Args a)
    {
        var market = RequiredMarket(a);
        var orderId = a.Optional("orderId");
        var (start, end, fromId) = (a.Decimal("startTime"), a.Decimal("endTime"), a.Decimal("fromId"));
        var limit = (int)Math.Min(a.Decimal("limit") ?? 500m, 1000m);
        var matching = _trades.Where(t => t.Symbol == market.Id
            && (orderId is null || t.OrderId.ToString(Inv) == orderId)
            && (start is null || t.Time.ToUnixTimeMilliseconds() >= start)
            && (end is null || t.Time.ToUnixTimeMilliseconds() <= end)
            && (fromId is null || t.Id >= fromId)).ToList();
        var page = start is null && fromId is null ? matching.TakeLast(limit) : matching.Take(limit);
        return page.Select(t => new Dictionary<string, object?>
        {
            ["symbol"] = t.Symbol,
            ["id"] = t.Id,
            ["orderId"] = t.OrderId,
            ["orderListId"] = -1,
            ["price"] = Num(t.Price),
            ["qty"] = Num(t.Qty),
            ["quoteQty"] = Num(t.QuoteQty),
            ["commission"] = Num(t.Commission),
            ["commissionAsset"] = t.CommissionAsset,
            ["time"] = t.Time.ToUnixTimeMilliseconds(),
            ["isBuyer"] = t.IsBuyer,
            ["isMaker"] = t.IsMaker,
            ["isBestMatch"] = true,
        }).ToList();
    }

    private object BookTicker(Args a)
    {
        object One(SpotMarketRules m)
        {
            var (bids, asks) = _books[m.Id];
            var (bid, ask) = (bids.FirstOrDefault(), asks.FirstOrDefault());
            return new { symbol = m.Id, bidPrice = Num(bid.Price), bidQty = Num(bid.Qty), askPrice = Num(ask.Price), askQty = Num(ask.Qty) };
        }

        return a.Optional("symbol") is null ? _markets.Values.Select(One).ToList() : One(RequiredMarket(a));
    }

    private object DayTicker(Args a)
    {
        var market = RequiredMarket(a);
        var (bids, asks) = _books[market.Id];
        var (bid, ask) = (bids.FirstOrDefault(), asks.FirstOrDefault());
        var last = _trades.LastOrDefault(t => t.Symbol == market.Id)?.Price ?? (bid.Price + ask.Price) / 2m;
        var now = Server.ServerTime().ToUnixTimeMilliseconds();
        return new
        {
            symbol = market.Id,
            priceChange = Num(0m),
            priceChangePercent = "0.000",
            weightedAvgPrice = Num(last),
            prevClosePrice = Num(last),
            lastPrice = Num(last),
            lastQty = Num(0m),
            bidPrice = Num(bid.Price),
            bidQty = Num(bid.Qty),
            askPrice = Num(ask.Price),
            askQty = Num(ask.Qty),
            openPrice = Num(last),
            highPrice = Num(last),
            lowPrice = Num(last),
            volume = Num(0m),
            quoteVolume = Num(0m),
            openTime = now - 86_400_000,
            closeTime = now,
            firstId = -1,
            lastId = -1,
            count = 0,
        };
    }

    private object Depth(Args a)
    {
        var market = RequiredMarket(a);
        var limit = (int)(a.Decimal("limit") ?? 100m);
        var (bids, asks) = _books[market.Id];
        return new
        {
            lastUpdateId = _nextTradeId,
            bids = bids.Take(limit).Select(l => new[] { Num(l.Price), Num(l.Qty) }).ToList(),
            asks = asks.Take(limit).Select(l => new[] { Num(l.Price), Num(l.Qty) }).ToList(),
        };
    }

    private object ExchangeInfo() => new
    {
        timezone = "UTC",
        serverTime = Server.ServerTime().ToUnixTimeMilliseconds(),
        rateLimits = new object[]
        {
            new { rateLimitType = "REQUEST_WEIGHT", interval = "MINUTE", intervalNum = 1, limit = 6000 },
            new { rateLimitType = "ORDERS", interval = "SECOND", intervalNum = 10, limit = 100 },
        },
        exchangeFilters = Array.Empty<object>(),
        symbols = _markets.Values.Select(m => new
        {
            symbol = m.Id,
            status = "TRADING",
            baseAsset = m.BaseAsset,
            baseAssetPrecision = 8,
            quoteAsset = m.QuoteAsset,
            quotePrecision = 8,
            quoteAssetPrecision = 8,
            orderTypes = new[] { "LIMIT", "LIMIT_MAKER", "MARKET" },
            quoteOrderQtyMarketAllowed = true,
            isSpotTradingAllowed = true,
            filters = new object[]
            {
                new { filterType = "PRICE_FILTER", minPrice = Num(m.TickSize), maxPrice = Num(1_000_000m), tickSize = Num(m.TickSize) },
                new { filterType = "LOT_SIZE", minQty = Num(m.MinQty), maxQty = Num(m.MaxQty), stepSize = Num(m.StepSize) },
                m.LegacyMinNotionalFilter
                    ? new { filterType = "MIN_NOTIONAL", minNotional = Num(m.MinNotional), applyToMarket = m.MinNotionalAppliesToMarket, avgPriceMins = 5 }
                    : (object)new { filterType = "NOTIONAL", minNotional = Num(m.MinNotional), applyMinToMarket = m.MinNotionalAppliesToMarket, maxNotional = Num(9_000_000m), applyMaxToMarket = false, avgPriceMins = 5 },
            },
            permissionSets = new[] { new[] { "SPOT" } },
        }).ToList(),
    };

    private sealed record Fault(int Status, string Body, bool AfterExecuting);

    /// <summary>A request's parameters by name (the last one wins, as a form reader would).</summary>
    private sealed class Args(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        public string? Optional(string name) => parameters.LastOrDefault(p => p.Key == name).Value is { Length: > 0 } v ? v : null;

        public string Required(string name) =>
            Optional(name) ?? throw new Rejection(-1102, $"Mandatory parameter '{name}' was not sent, was empty/null, or malformed.");

        public decimal? Decimal(string name) =>
            Optional(name) is not { } text ? null
            : decimal.TryParse(text, NumberStyles.Float, Inv, out var d) ? d
            : throw new Rejection(-1100, $"Illegal characters found in parameter '{name}'; legal range is '^([0-9]{{1,20}})(\\.[0-9]{{1,20}})?$'.");
    }

    /// <summary>Binance's refusal: HTTP 400 (401 for a bad key) with <c>{"code":…,"msg":…}</c>.</summary>
    private sealed class Rejection(int code, string message, int status = 400) : Exception(message)
    {
        public int Code => code;

        public int Status => status;
    }
}
