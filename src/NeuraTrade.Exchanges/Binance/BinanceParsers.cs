using System.Globalization;
using System.Text.Json;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>A Binance spot market: the unified metadata plus what only the adapter needs.</summary>
public sealed record BinanceMarket(MarketInfo Info, int QuotePrecision);

/// <summary>Binance spot JSON to the unified structures, field for field as ccxt parses them.</summary>
public static class BinanceParsers
{
    public static Ticker Ticker(JsonElement t, string symbol) => new(
        symbol,
        Time(t, "closeTime") ?? DateTimeOffset.UnixEpoch,
        Dec(t, "bidPrice") ?? 0m,
        Dec(t, "askPrice") ?? 0m,
        Dec(t, "lastPrice") ?? 0m,
        Dec(t, "highPrice") ?? 0m,
        Dec(t, "lowPrice") ?? 0m,
        Dec(t, "volume") ?? 0m,
        BidVolume: Dec(t, "bidQty"),
        AskVolume: Dec(t, "askQty"),
        Open: Dec(t, "openPrice"),
        QuoteVolume: Dec(t, "quoteVolume"),
        Vwap: Dec(t, "weightedAvgPrice"),
        PreviousClose: Dec(t, "prevClosePrice"),
        Change: Dec(t, "priceChange"),
        Percentage: Dec(t, "priceChangePercent"));

    public static OrderBook OrderBook(JsonElement b, string symbol) => new(
        symbol,
        Levels(b.GetProperty("bids")),
        Levels(b.GetProperty("asks")),
        Time(b, "T"),
        b.TryGetProperty("lastUpdateId", out var id) ? long.Parse(Text(id), CultureInfo.InvariantCulture) : null);

    /// <summary>Klines rows <c>[openTime, open, high, low, close, volume, closeTime, …]</c>.</summary>
    public static Candle Candle(JsonElement k) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Text(k[0]), CultureInfo.InvariantCulture)),
        Number(k[1]), Number(k[2]), Number(k[3]), Number(k[4]), Number(k[5]));

    public static DateTimeOffset CandleCloseTime(JsonElement k) => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Text(k[6]), CultureInfo.InvariantCulture));

    public static Balances Balances(JsonElement account)
    {
        var byCurrency = new Dictionary<string, Balance>(StringComparer.Ordinal);
        foreach (var b in account.GetProperty("balances").EnumerateArray())
        {
            byCurrency[b.GetProperty("asset").GetString()!] = new Balance(Dec(b, "free") ?? 0m, Dec(b, "locked") ?? 0m);
        }

        return new Balances(byCurrency, Time(account, "updateTime"));
    }

    public static Order Order(JsonElement o, string symbol)
    {
        var amount = Dec(o, "origQty") ?? 0m;
        var filled = Dec(o, "executedQty") ?? 0m;
        var cost = Dec(o, "cummulativeQuoteQty") ?? 0m;
        var average = filled > 0m ? cost / filled : 0m;
        var price = Dec(o, "price") is { } p and > 0m ? p : (average > 0m ? average : (decimal?)null);
        var type = o.GetProperty("type").GetString()!;
        var (fees, fee, feeCurrency) = Fees(o, filled);
        return new Order(
            Text(o.GetProperty("orderId")),
            ClientOrderId(o),
            symbol,
            type.Contains("LIMIT", StringComparison.Ordinal) ? OrderType.Limit : OrderType.Market,
            Side(o.GetProperty("side").GetString()!),
            Status(o.GetProperty("status").GetString()!),
            amount,
            filled,
            average,
            cost,
            fee,
            feeCurrency,
            Time(o, "time") ?? Time(o, "transactTime") ?? Time(o, "workingTime") ?? DateTimeOffset.UnixEpoch,
            price,
            o.TryGetProperty("timeInForce", out var tif) ? tif.GetString() : null,
            type == "LIMIT_MAKER",
            fees);
    }

    public static Trade Trade(JsonElement t, string symbol)
    {
        var price = Dec(t, "price") ?? 0m;
        var amount = Dec(t, "qty") ?? 0m;
        return new Trade(
            Text(t.GetProperty("id")),
            Text(t.GetProperty("orderId")),
            symbol,
            t.GetProperty("isBuyer").GetBoolean() ? OrderSide.Buy : OrderSide.Sell,
            t.GetProperty("isMaker").GetBoolean() ? TakerOrMaker.Maker : TakerOrMaker.Taker,
            price,
            amount,
            Dec(t, "quoteQty") ?? (price * amount),
            Dec(t, "commission") ?? 0m,
            t.TryGetProperty("commissionAsset", out var a) ? a.GetString() ?? string.Empty : string.Empty,
            Time(t, "time") ?? DateTimeOffset.UnixEpoch);
    }

    /// <summary>exchangeInfo's spot symbols as unified markets (BASE/QUOTE), with LOT_SIZE, PRICE_FILTER and (MIN_)NOTIONAL.</summary>
    public static IReadOnlyList<BinanceMarket> Markets(JsonElement exchangeInfo)
    {
        var markets = new List<BinanceMarket>();
        foreach (var s in exchangeInfo.GetProperty("symbols").EnumerateArray())
        {
            if (s.TryGetProperty("isSpotTradingAllowed", out var spot) && !spot.GetBoolean())
            {
                continue;
            }

            if (!MarketSymbol.TryNormalize($"{s.GetProperty("baseAsset").GetString()}/{s.GetProperty("quoteAsset").GetString()}", out var symbol))
            {
                continue;
            }

            decimal? step = null, tick = null, minQty = null, maxQty = null, minNotional = null;
            var notionalOnMarket = true;
            foreach (var f in s.GetProperty("filters").EnumerateArray())
            {
                switch (f.GetProperty("filterType").GetString())
                {
                    case "LOT_SIZE":
                        step = Positive(Dec(f, "stepSize"));
                        minQty = Positive(Dec(f, "minQty"));
                        maxQty = Positive(Dec(f, "maxQty"));
                        break;
                    case "PRICE_FILTER":
                        tick = Positive(Dec(f, "tickSize"));
                        break;
                    case "NOTIONAL":
                        minNotional = Positive(Dec(f, "minNotional"));
                        notionalOnMarket = !f.TryGetProperty("applyMinToMarket", out var am) || am.GetBoolean();
                        break;
                    case "MIN_NOTIONAL":
                        minNotional = Positive(Dec(f, "minNotional"));
                        notionalOnMarket = !f.TryGetProperty("applyToMarket", out var at) || at.GetBoolean();
                        break;
                    default:
                        break;
                }
            }

            var quotePrecision = s.TryGetProperty("quoteAssetPrecision", out var qp) ? qp.GetInt32() : s.TryGetProperty("quotePrecision", out var qp2) ? qp2.GetInt32() : 8;
            var info = new MarketInfo(symbol, s.GetProperty("symbol").GetString()!, MarketSymbol.Base(symbol), MarketSymbol.Quote(symbol),
                s.GetProperty("status").GetString() == "TRADING", step, tick, minQty, maxQty, minNotional, notionalOnMarket);
            markets.Add(new BinanceMarket(info, quotePrecision));
        }

        return markets;
    }

    /// <summary>Decimals as Binance wants them: invariant, no exponent, no trailing zeros.</summary>
    public static string Format(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>
    /// An order's fees from its <c>fills</c>, summed per commission asset (Binance charges a spot BUY in the base asset,
    /// a SELL in the quote asset, or BNB, and may mix them across fills). Only a FULL order answer lists fills; a
    /// RESULT or ACK answer, a lookup (GET /api/v3/order) and a cancel do not, and neither does a fill list that does
    /// not add up to what was executed: then the fees are unknown (null, no currency), never 0. Fee/currency stay
    /// filled when a single asset was charged, as ccxt's <c>fee</c>; with several assets only <c>fees</c> says them.
    /// </summary>
    private static (IReadOnlyList<FeeCharge>? Fees, decimal Fee, string Currency) Fees(JsonElement o, decimal executed)
    {
        if (!o.TryGetProperty("fills", out var fills) || fills.ValueKind != JsonValueKind.Array)
        {
            return (null, 0m, string.Empty);
        }

        var charged = new List<FeeCharge>();
        var filled = 0m;
        foreach (var f in fills.EnumerateArray())
        {
            filled += Dec(f, "qty") ?? 0m;
            var asset = f.TryGetProperty("commissionAsset", out var a) ? a.GetString() ?? string.Empty : string.Empty;
            var commission = Dec(f, "commission") ?? 0m;
            if (asset.Length == 0 && commission != 0m)
            {
                return (null, 0m, string.Empty);
            }

            charged.Add(new FeeCharge(asset, commission));
        }

        if (filled != executed)
        {
            return (null, 0m, string.Empty);
        }

        var assets = charged.Select(c => c.Currency).Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var fees = FeeCharge.Merge(charged);
        return assets.Count == 1 ? (fees, charged.Sum(c => c.Amount), assets[0]) : (fees, 0m, string.Empty);
    }

    /// <summary>
    /// The order's own client id. A cancel answer's <c>clientOrderId</c> is the id of the cancel request; the order's
    /// id is then in <c>origClientOrderId</c>.
    /// </summary>
    private static string ClientOrderId(JsonElement o) =>
        o.TryGetProperty("origClientOrderId", out var original) && original.GetString() is { Length: > 0 } id ? id
        : o.TryGetProperty("clientOrderId", out var c) ? c.GetString() ?? string.Empty
        : string.Empty;

    private static OrderSide Side(string side) => side == "BUY" ? OrderSide.Buy : OrderSide.Sell;

    private static OrderStatus Status(string status) => status switch
    {
        "NEW" or "PARTIALLY_FILLED" or "PENDING_NEW" => OrderStatus.Open,
        "FILLED" => OrderStatus.Closed,
        "CANCELED" or "PENDING_CANCEL" => OrderStatus.Canceled,
        "REJECTED" => OrderStatus.Rejected,
        _ => OrderStatus.Expired,
    };

    private static List<OrderBookLevel> Levels(JsonElement side) =>
        side.EnumerateArray().Select(l => new OrderBookLevel(Number(l[0]), Number(l[1]))).ToList();

    private static decimal? Positive(decimal? value) => value is > 0m ? value : null;

    private static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Text(v), CultureInfo.InvariantCulture))
            : null;

    private static decimal? Dec(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.Number or JsonValueKind.String ? Number(v) : null;

    private static decimal Number(JsonElement v) =>
        decimal.Parse(Text(v), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Text(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
}
