namespace NeuraTrade.Exchanges.Tests;

/// <summary>The stand-in's order endpoints: place, look up, cancel, list open orders, as Binance's spot API documents them.</summary>
internal sealed partial class BinanceSpotAccount
{
    /// <summary>POST /api/v3/order.</summary>
    private Dictionary<string, object?> PlaceOrder(Args a)
    {
        var market = RequiredMarket(a);
        var side = a.Required("side");
        if (side is not ("BUY" or "SELL"))
        {
            throw new Rejection(-1100, "Illegal characters found in parameter 'side'; legal range is 'BUY, SELL'.");
        }

        var type = a.Required("type");
        if (type is not ("MARKET" or "LIMIT" or "LIMIT_MAKER"))
        {
            throw new Rejection(-1116, "Invalid orderType.");
        }

        var respType = a.Optional("newOrderRespType") ?? (type is "MARKET" or "LIMIT" ? "FULL" : "ACK");
        if (respType is not ("ACK" or "RESULT" or "FULL"))
        {
            throw new Rejection(-1100, "Illegal characters found in parameter 'newOrderRespType'; legal range is 'ACK, RESULT, FULL'.");
        }

        var clientOrderId = a.Optional("newClientOrderId") ?? $"standin-{++_nextGeneratedId}";
        if (_orders.Any(o => o.IsOpen && o.ClientOrderId == clientOrderId))
        {
            // Binance refuses a client order id only while an order carrying it is still open.
            throw new Rejection(-2010, "Duplicate order sent.");
        }

        var (qty, quoteQty, price, tif) = (a.Decimal("quantity"), a.Decimal("quoteOrderQty"), a.Decimal("price"), a.Optional("timeInForce"));
        switch (type)
        {
            case "MARKET" when qty is null && quoteQty is null:
                throw new Rejection(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
            case "MARKET" when quoteQty is not null && side == "SELL":
                throw new Rejection(-1106, "Parameter 'quoteOrderQty' sent when not required.");
            case "LIMIT" or "LIMIT_MAKER" when qty is null:
                throw new Rejection(-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
            case "LIMIT" or "LIMIT_MAKER" when price is null:
                throw new Rejection(-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
            case "LIMIT" when tif is null:
                throw new Rejection(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
            case "LIMIT" when tif is not ("GTC" or "IOC" or "FOK"):
                throw new Rejection(-1100, "Illegal characters found in parameter 'timeInForce'; legal range is 'GTC, IOC, FOK'.");
            case "LIMIT_MAKER" or "MARKET" when tif is not null:
                throw new Rejection(-1106, "Parameter 'timeInForce' sent when not required.");
            default:
                break;
        }

        var order = new OrderState
        {
            OrderId = _nextOrderId,
            ClientOrderId = clientOrderId,
            Symbol = market.Id,
            Side = side,
            Type = type,
            Time = Server.ServerTime(),
            OrigQty = qty ?? 0m,
            OrigQuoteOrderQty = quoteQty ?? 0m,
            Price = type == "MARKET" ? null : price,
            TimeInForce = type == "LIMIT" ? tif : "GTC", // Binance reports GTC for market and maker-only orders
        };
        order.UpdateTime = order.Time;
        CheckFilters(market, order, qty, quoteQty);

        var plan = Plan(order, market, order.OrigQty, quoteQty);
        var (wallet, needed) = (side, type) switch
        {
            ("BUY", "MARKET") => (WalletOf(market.QuoteAsset), quoteQty ?? plan.Sum(f => f.Price * f.Qty)),
            ("BUY", _) => (WalletOf(market.QuoteAsset), price!.Value * qty!.Value),
            _ => (WalletOf(market.BaseAsset), qty!.Value),
        };
        if (wallet.Free < needed)
        {
            throw new Rejection(-2010, "Account has insufficient balance for requested action.");
        }

        if (type == "LIMIT_MAKER" && plan.Count > 0)
        {
            throw new Rejection(-2010, "Order would immediately match and take.");
        }

        _nextOrderId++;
        _orders.Add(order);
        if (order.LocksFunds)
        {
            wallet.Free -= needed;
            wallet.Locked += needed;
        }

        var fillOrKillMissed = tif == "FOK" && plan.Sum(f => f.Qty) < order.OrigQty;
        if (!fillOrKillMissed)
        {
            foreach (var (fillPrice, fillQty) in plan)
            {
                Fill(order, market, fillPrice, fillQty, maker: false);
            }
        }

        if (quoteQty is not null)
        {
            order.OrigQty = order.ExecutedQty;
        }

        order.Status = (type, tif) switch
        {
            _ when order.OrigQty > 0m && order.Remaining == 0m => "FILLED",
            ("LIMIT", "GTC") or ("LIMIT_MAKER", _) => order.ExecutedQty > 0m ? "PARTIALLY_FILLED" : "NEW",
            _ => "EXPIRED",
        };
        if (order.Status == "EXPIRED")
        {
            Unlock(order, market);
        }

        return OrderJson(order, respType);
    }

    /// <summary>GET /api/v3/order: by orderId, or by origClientOrderId (the latest order carrying it).</summary>
    private Dictionary<string, object?> QueryOrder(Args a) =>
        OrderJson(FindOrder(a) ?? throw new Rejection(-2013, "Order does not exist."), "QUERY");

    /// <summary>DELETE /api/v3/order: only an open order can be cancelled.</summary>
    private Dictionary<string, object?> CancelOrder(Args a)
    {
        var order = FindOrder(a);
        if (order is not { IsOpen: true })
        {
            throw new Rejection(-2011, "Unknown order sent.");
        }

        Unlock(order, _markets[order.Symbol]);
        order.Status = "CANCELED";
        order.UpdateTime = Server.ServerTime();
        var json = OrderJson(order, "CANCEL");
        json["clientOrderId"] = a.Optional("newClientOrderId") ?? $"standin-cancel-{++_nextGeneratedId}";
        return json;
    }

    /// <summary>GET /api/v3/openOrders, of one market or all.</summary>
    private List<Dictionary<string, object?>> OpenOrders(Args a)
    {
        var symbol = a.Optional("symbol") is null ? null : RequiredMarket(a).Id;
        return _orders.Where(o => o.IsOpen && (symbol is null || o.Symbol == symbol)).Select(o => OrderJson(o, "QUERY")).ToList();
    }

    private OrderState? FindOrder(Args a)
    {
        var market = RequiredMarket(a);
        var byId = a.Optional("orderId");
        var byClient = a.Optional("origClientOrderId");
        if (byId is null && byClient is null)
        {
            throw new Rejection(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
        }

        return _orders.LastOrDefault(o => o.Symbol == market.Id
            && (byId is null || o.OrderId.ToString(Inv) == byId)
            && (byClient is null || o.ClientOrderId == byClient));
    }

    private void CheckFilters(SpotMarketRules market, OrderState order, decimal? qty, decimal? quoteQty)
    {
        if (order.Price is { } price && (price <= 0m || price % market.TickSize != 0m))
        {
            throw new Rejection(-1013, "Filter failure: PRICE_FILTER");
        }

        if (qty is { } q && (q < market.MinQty || q > market.MaxQty || (q - market.MinQty) % market.StepSize != 0m))
        {
            throw new Rejection(-1013, "Filter failure: LOT_SIZE");
        }

        decimal? notional = null;
        if (order.Price is { } limit)
        {
            notional = limit * qty!.Value;
        }
        else if (market.MinNotionalAppliesToMarket)
        {
            var book = _books[market.Id];
            var touch = order.IsBuy ? book.Asks.FirstOrDefault() : book.Bids.FirstOrDefault();
            notional = quoteQty ?? (touch.Price > 0m ? touch.Price * qty!.Value : null);
        }

        if (notional < market.MinNotional)
        {
            throw new Rejection(-1013, market.LegacyMinNotionalFilter ? "Filter failure: MIN_NOTIONAL" : "Filter failure: NOTIONAL");
        }
    }

    /// <summary>
    /// An order in the shape of one of Binance's answers: ACK, RESULT or FULL (a new order), QUERY (GET order,
    /// openOrders) or CANCEL. Only FULL lists the fills.
    /// </summary>
    private static Dictionary<string, object?> OrderJson(OrderState o, string shape)
    {
        var json = new Dictionary<string, object?> { ["symbol"] = o.Symbol };
        if (shape == "CANCEL")
        {
            json["origClientOrderId"] = o.ClientOrderId;
        }

        json["orderId"] = o.OrderId;
        json["orderListId"] = -1;
        json["clientOrderId"] = o.ClientOrderId;
        if (shape is "ACK" or "RESULT" or "FULL" or "CANCEL")
        {
            json["transactTime"] = (shape == "CANCEL" ? o.UpdateTime : o.Time).ToUnixTimeMilliseconds();
        }

        if (shape == "ACK")
        {
            return json;
        }

        json["price"] = Num(o.Price ?? 0m);
        json["origQty"] = Num(o.OrigQty);
        json["executedQty"] = Num(o.ExecutedQty);
        json["origQuoteOrderQty"] = Num(o.OrigQuoteOrderQty);
        json["cummulativeQuoteQty"] = Num(o.CumulativeQuoteQty);
        json["status"] = o.Status;
        json["timeInForce"] = o.TimeInForce;
        json["type"] = o.Type;
        json["side"] = o.Side;
        if (shape == "QUERY")
        {
            json["stopPrice"] = Num(0m);
            json["icebergQty"] = Num(0m);
            json["time"] = o.Time.ToUnixTimeMilliseconds();
            json["updateTime"] = o.UpdateTime.ToUnixTimeMilliseconds();
            json["isWorking"] = true;
        }

        if (shape != "CANCEL")
        {
            json["workingTime"] = o.Time.ToUnixTimeMilliseconds();
        }

        json["selfTradePreventionMode"] = "EXPIRE_MAKER";
        if (shape == "FULL")
        {
            json["fills"] = o.Fills.Select(f => new Dictionary<string, object?>
            {
                ["price"] = Num(f.Price),
                ["qty"] = Num(f.Qty),
                ["commission"] = Num(f.Commission),
                ["commissionAsset"] = f.CommissionAsset,
                ["tradeId"] = f.Id,
            }).ToList();
        }

        return json;
    }

    private SpotMarketRules RequiredMarket(Args a) => MarketOf(a.Required("symbol")) ?? throw new Rejection(-1121, "Invalid symbol.");
}
