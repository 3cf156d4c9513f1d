using System.Globalization;
using System.Text.Json;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>
/// Calls our port the way a ccxt fixture's <c>input</c> calls ccxt, and projects our unified result onto ccxt's
/// field names, only the fields our structures have. Where ccxt says null and we say 0 (an order's average before
/// any fill, a fee Binance did not report) the projection writes null, as documented on <see cref="Order"/>.
/// </summary>
internal static class CcxtShape
{
    public static async Task<object?> InvokeAsync(IExchange exchange, string method, JsonElement input, CancellationToken ct)
    {
        var args = input.EnumerateArray().ToArray();
        string S(int i) => args[i].ValueKind == JsonValueKind.String ? args[i].GetString()! : args[i].GetRawText();
        int? I(int i) => args.Length > i && args[i].ValueKind == JsonValueKind.Number ? args[i].GetInt32() : null;
        DateTimeOffset? T(int i) => args.Length > i && args[i].ValueKind == JsonValueKind.Number ? DateTimeOffset.FromUnixTimeMilliseconds(args[i].GetInt64()) : null;
        decimal? D(int i) => args.Length > i && args[i].ValueKind == JsonValueKind.Number ? args[i].GetDecimal() : null;
        bool PostOnly(int i) => args.Length > i && args[i].ValueKind == JsonValueKind.Object && args[i].TryGetProperty("postOnly", out var p) && p.GetBoolean();

        return method switch
        {
            "fetchTicker" => Ticker(await exchange.FetchTickerAsync(S(0), ct)),
            "fetchOrderBook" => OrderBook(await exchange.FetchOrderBookAsync(S(0), I(1), ct)),
            "fetchOHLCV" => (await exchange.FetchOhlcvAsync(S(0), args.Length > 1 ? S(1) : "1m", T(2), I(3), ct)).Select(Candle).ToList(),
            "fetchBalance" => Balance(await exchange.FetchBalanceAsync(ct)),
            "createOrder" => Order(await exchange.CreateOrderAsync(
                new OrderRequest(S(0), S(1) == "limit" ? OrderType.Limit : OrderType.Market, S(2) == "buy" ? OrderSide.Buy : OrderSide.Sell, D(3)!.Value, D(4), "nt-conformance", PostOnly(5)), ct)),
            "fetchOrder" => Order(await exchange.FetchOrderAsync(S(0), S(1), ct)),
            "cancelOrder" => Order(await exchange.CancelOrderAsync(S(0), S(1), ct)),
            "fetchOpenOrders" => (await exchange.FetchOpenOrdersAsync(S(0), ct)).Select(Order).ToList(),
            "fetchMyTrades" => (await exchange.FetchMyTradesAsync(S(0), T(1), I(2), ct)).Select(Trade).ToList(),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, "not in the port"),
        };
    }

    /// <summary>Asserts every projected field equals ccxt's; numbers compare as decimals.</summary>
    public static void AssertMatches(JsonElement expected, object? actual, string path = "$")
    {
        switch (actual)
        {
            case null:
                Assert.True(expected.ValueKind == JsonValueKind.Null, $"{path}: ccxt has {expected.GetRawText()}, we have null");
                break;
            case IDictionary<string, object?> fields:
                foreach (var (name, value) in fields)
                {
                    Assert.True(expected.TryGetProperty(name, out var e), $"{path}.{name}: ccxt has no such field");
                    AssertMatches(e, value, $"{path}.{name}");
                }

                break;
            case System.Collections.IList list:
                Assert.Equal(expected.GetArrayLength(), list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    AssertMatches(expected[i], list[i], $"{path}[{i}]");
                }

                break;
            case decimal or long or int:
                Assert.True(expected.ValueKind == JsonValueKind.Number, $"{path}: ccxt has {expected.GetRawText()}, we have {actual}");
                // ccxt's numbers are IEEE doubles, ours exact decimals: equal, or ours is the decimal ccxt's double came from.
                var ours = Convert.ToDecimal(actual, CultureInfo.InvariantCulture);
                var theirs = expected.GetRawText();
                Assert.True(
                    ours == decimal.Parse(theirs, NumberStyles.Float, CultureInfo.InvariantCulture) || (double)ours == double.Parse(theirs, CultureInfo.InvariantCulture),
                    $"{path}: ccxt has {theirs}, we have {actual}");
                break;
            case bool b:
                Assert.True(expected.ValueKind is JsonValueKind.True or JsonValueKind.False && expected.GetBoolean() == b, $"{path}: ccxt has {expected.GetRawText()}, we have {b}");
                break;
            case string s:
                Assert.True(expected.ValueKind == JsonValueKind.String && expected.GetString() == s, $"{path}: ccxt has {expected.GetRawText()}, we have \"{s}\"");
                break;
            default:
                throw new InvalidOperationException($"{path}: cannot compare {actual.GetType()}");
        }
    }

    private static Dictionary<string, object?> Ticker(Ticker t) => new()
    {
        ["symbol"] = t.Symbol,
        ["timestamp"] = t.Timestamp.ToUnixTimeMilliseconds(),
        ["high"] = t.High,
        ["low"] = t.Low,
        ["bid"] = t.Bid,
        ["bidVolume"] = t.BidVolume,
        ["ask"] = t.Ask,
        ["askVolume"] = t.AskVolume,
        ["vwap"] = t.Vwap,
        ["open"] = t.Open,
        ["close"] = t.Last,
        ["last"] = t.Last,
        ["previousClose"] = t.PreviousClose,
        ["change"] = t.Change,
        ["percentage"] = t.Percentage,
        ["baseVolume"] = t.BaseVolume,
        ["quoteVolume"] = t.QuoteVolume,
    };

    private static Dictionary<string, object?> OrderBook(OrderBook b) => new()
    {
        ["symbol"] = b.Symbol,
        ["bids"] = b.Bids.Select(l => new List<object?> { l.Price, l.Amount }).ToList(),
        ["asks"] = b.Asks.Select(l => new List<object?> { l.Price, l.Amount }).ToList(),
        ["timestamp"] = b.Timestamp?.ToUnixTimeMilliseconds(),
        ["nonce"] = b.Nonce,
    };

    private static List<object?> Candle(Candle c) => [c.OpenTime.ToUnixTimeMilliseconds(), c.Open, c.High, c.Low, c.Close, c.Volume];

    private static Dictionary<string, object?> Balance(Balances b)
    {
        var fields = new Dictionary<string, object?> { ["timestamp"] = b.Timestamp?.ToUnixTimeMilliseconds() };
        foreach (var (currency, balance) in b.ByCurrency)
        {
            fields[currency] = new Dictionary<string, object?> { ["free"] = balance.Free, ["used"] = balance.Used, ["total"] = balance.Total };
        }

        fields["free"] = b.ByCurrency.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.Free);
        fields["used"] = b.ByCurrency.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.Used);
        fields["total"] = b.ByCurrency.ToDictionary(kv => kv.Key, kv => (object?)kv.Value.Total);
        return fields;
    }

    private static Dictionary<string, object?> Order(Order o) => new()
    {
        ["id"] = o.Id,
        ["clientOrderId"] = o.ClientOrderId,
        ["timestamp"] = o.Timestamp.ToUnixTimeMilliseconds(),
        ["symbol"] = o.Symbol,
        ["type"] = o.Type.ToString().ToLowerInvariant(),
        ["timeInForce"] = o.TimeInForce,
        ["postOnly"] = o.PostOnly,
        ["side"] = o.Side.ToString().ToLowerInvariant(),
        ["price"] = o.Price,
        ["amount"] = o.Amount,
        ["cost"] = o.Cost,
        ["average"] = o.Filled == 0m ? null : o.Average,
        ["filled"] = o.Filled,
        ["remaining"] = o.Remaining,
        ["status"] = o.Status.ToString().ToLowerInvariant(),
        ["fee"] = o.FeeCurrency.Length == 0 ? null : new Dictionary<string, object?> { ["cost"] = o.Fee, ["currency"] = o.FeeCurrency },
        ["fees"] = o.FeeCharges.Select(c => new Dictionary<string, object?> { ["cost"] = c.Amount, ["currency"] = c.Currency }).ToList(),
    };

    private static Dictionary<string, object?> Trade(Trade t) => new()
    {
        ["id"] = t.Id,
        ["order"] = t.OrderId,
        ["timestamp"] = t.Timestamp.ToUnixTimeMilliseconds(),
        ["symbol"] = t.Symbol,
        ["side"] = t.Side.ToString().ToLowerInvariant(),
        ["takerOrMaker"] = t.TakerOrMaker?.ToString().ToLowerInvariant(),
        ["price"] = t.Price,
        ["amount"] = t.Amount,
        ["cost"] = t.Cost,
        ["fee"] = new Dictionary<string, object?> { ["cost"] = t.Fee, ["currency"] = t.FeeCurrency },
    };
}
