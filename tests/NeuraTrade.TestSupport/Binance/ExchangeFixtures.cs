using System.Text.Json;

namespace NeuraTrade.TestSupport;

/// <summary>ccxt's Binance fixtures (see Fixtures/README.md) and our exchangeInfo, read from the test output folder.</summary>
public static class ExchangeFixtures
{
    public const string ApiKey = "test-api-key-0123456789";
    public const string ApiSecret = "test-api-secret-abcdefghijklmnop";

    private static readonly Lazy<JsonDocument> ResponsesDoc = new(() => Load("ccxt-binance-spot-responses.json"));
    private static readonly Lazy<JsonDocument> RequestsDoc = new(() => Load("ccxt-binance-spot-requests.json"));

    public static string ExchangeInfo => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "binance-exchangeInfo.json"));

    public static JsonElement Responses => ResponsesDoc.Value.RootElement;

    public static JsonElement Requests => RequestsDoc.Value.RootElement;

    public static IReadOnlySet<string> RequestSkipKeys =>
        Requests.GetProperty("skipKeys").EnumerateArray().Select(k => k.GetString()!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The ccxt method's Binance endpoint.</summary>
    public static (string Method, string Path) Endpoint(string ccxtMethod) => ccxtMethod switch
    {
        "fetchTicker" => ("GET", "/api/v3/ticker/24hr"),
        "fetchOrderBook" => ("GET", "/api/v3/depth"),
        "fetchOHLCV" => ("GET", "/api/v3/klines"),
        "fetchBalance" => ("GET", "/api/v3/account"),
        "createOrder" => ("POST", "/api/v3/order"),
        "fetchOrder" => ("GET", "/api/v3/order"),
        "cancelOrder" => ("DELETE", "/api/v3/order"),
        "fetchOpenOrders" => ("GET", "/api/v3/openOrders"),
        "fetchMyTrades" => ("GET", "/api/v3/myTrades"),
        _ => throw new ArgumentOutOfRangeException(nameof(ccxtMethod), ccxtMethod, "no endpoint mapped"),
    };

    public static JsonElement ResponseCase(string method, string description) =>
        Responses.GetProperty("methods").GetProperty(method).EnumerateArray().Single(c => c.GetProperty("description").GetString() == description);

    public static JsonElement RequestCase(string method, string description) =>
        Requests.GetProperty("methods").GetProperty(method).EnumerateArray().Single(c => c.GetProperty("description").GetString() == description);

    public static IEnumerable<object[]> ResponseCases() => Cases(Responses);

    public static IEnumerable<object[]> RequestCases() => Cases(Requests);

    /// <summary>The real Binance payload of each method's first response case, served by default.</summary>
    public static IEnumerable<(string Method, string Path, string Body)> DefaultPayloads()
    {
        foreach (var m in Responses.GetProperty("methods").EnumerateObject())
        {
            var (method, path) = Endpoint(m.Name);
            yield return (method, path, m.Value[0].GetProperty("httpResponse").GetRawText());
        }

        // Cancelling answers with the order, like fetching it.
        yield return ("DELETE", "/api/v3/order", ResponseCase("fetchOrder", "Fetch spot closed order").GetProperty("httpResponse").GetRawText());
        yield return ("GET", "/api/v3/ticker/bookTicker", """{"symbol":"BTCUSDT","bidPrice":"42574.30000000","bidQty":"0.01070000","askPrice":"42574.31000000","askQty":"0.00870000"}""");
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty))
            .ToList();

    private static IEnumerable<object[]> Cases(JsonElement root) =>
        root.GetProperty("methods").EnumerateObject()
            .SelectMany(m => m.Value.EnumerateArray().Select(c => new object[] { m.Name, c.GetProperty("description").GetString()! }));

    private static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name)));
}
