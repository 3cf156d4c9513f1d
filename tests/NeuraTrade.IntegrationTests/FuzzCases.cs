using System.Text;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// One malformed request: the function it goes to, its route id, query string and body as bytes (null: none), whether it
/// is sent chunked (no Content-Length), and the fields a 400 may name; no fields means the function takes no input and
/// must ignore it (200).
/// </summary>
public sealed record FuzzCase(string Function, string? Id, string Query, byte[]? Body, bool Chunked, string[] Fields)
{
    public override string ToString()
    {
        var body = Body is null ? "no body" : Body.Length > 80 ? $"{Body.Length} bytes" : Encoding.UTF8.GetString(Body);
        return $"{Function} id={Id?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"} query={(Query.Length > 80 ? Query[..80] + "…" : Query)} body={body}{(Chunked ? " chunked" : string.Empty)}";
    }
}

/// <summary>
/// The malformed requests the fuzz tests send to every HTTP function that takes input (and garbage to those that take
/// none): bodies that are not JSON or not objects, wrong types, nulls, duplicate keys, deep nesting, huge strings and
/// numbers, invalid UTF-8, control characters, oversized and chunked bodies, bad and long route ids, bad query strings.
/// Built deterministically, so a failure names a case that can be run again.
/// </summary>
public static class FuzzCases
{
    private static readonly string[] NotObjects =
    [
        "", " ", "{", "}", "[", "[]", "null", "true", "false", "0", "-1", "1e999", "\"BTC/USDT\"", "[{\"symbol\":\"BTC/USDT\"}]",
        "{\"symbol\":", "{\"symbol\":\"BTC/USDT\"", "{\"symbol\":\"BTC/USDT\",}", "{'symbol':'BTC/USDT'}", "{symbol:\"BTC/USDT\"}",
        "{\"symbol\":\"BTC/USDT\"}garbage", "{\"symbol\":\"BTC/USDT\"}{}", "<xml/>", "\u0000", "\t\r\n", "{\"symbol\" \"BTC/USDT\"}",
        "{\"symbol\":\"BTC/USDT\" /* comment */}", "{\"symbol\":NaN}", "{\"symbol\":undefined}", "{\"\u0000\":1}", "{\"symbol\":\"\\uZZZZ\"}",
    ];

    /// <summary>Values of the wrong JSON type for a string field.</summary>
    private static readonly string[] NotStrings = ["1", "-0.5", "1e400", "123456789012345678901234567890123456789", "true", "[]", "{}", "[\"BTC/USDT\"]", "{\"a\":1}"];

    /// <summary>Values of the wrong JSON type for a boolean field.</summary>
    private static readonly string[] NotBooleans = ["1", "0", "1e999", "\"true\"", "\"yes\"", "[]", "{}", "[true]", "\"\""];

    /// <summary>Strings that are no symbol of the form BASE/QUOTE, or not a configured one.</summary>
    private static readonly string[] BadSymbols =
    [
        "", "BTC", "BTC/", "/USDT", "BTC//USDT", "BTC/USDT/EUR", "BTC\u0000/USDT", "BTC\tUSDT", "../../etc/passwd",
        "BTC/USDT' OR 1=1 --", "<script>alert(1)</script>", "💥/USDT", new string('A', 5000) + "/USDT", "ETH/BTC", "XYZ/USDT",
    ];

    private static readonly string[] BadStrategies = ["hodl", "scalping!", "SCALPING\u0000", "", new string('s', 2000), "arbitrage;drop table"];

    public static IReadOnlyList<FuzzCase> All()
    {
        var cases = new List<FuzzCase>();
        Bodies(cases, "AiAnalyze", "symbol", string.Empty, ["body", "symbol"]);
        Bodies(cases, "AiDecision", "symbol", ",\"strategy\":\"scalping\"", ["body", "symbol", "strategy", "execute"]);
        foreach (var strategy in BadStrategies)
        {
            cases.Add(Post("AiDecision", $"{{\"symbol\":\"BTC/USDT\",\"strategy\":{Quote(strategy)}}}", ["strategy"]));
            cases.Add(Post("AiDecision", $"{{\"strategy\":{Quote(strategy)},\"symbol\":\"BTC/USDT\",\"execute\":false}}", ["strategy"]));
        }

        foreach (var value in NotStrings)
        {
            cases.Add(Post("AiDecision", $"{{\"symbol\":\"BTC/USDT\",\"strategy\":{value}}}", ["strategy"]));
        }

        foreach (var value in NotBooleans.Concat(["\"null\"", "-0.5", "{\"a\":true}"]))
        {
            cases.Add(Post("AiDecision", $"{{\"symbol\":\"BTC/USDT\",\"execute\":{value}}}", ["execute"]));
            cases.Add(Post("AiDecision", $"{{\"execute\":{value},\"symbol\":\"BTC/USDT\",\"strategy\":\"analysis\"}}", ["execute"]));
        }

        Toggle(cases, "ScalpingToggle");
        Toggle(cases, "ArbitrageToggle");
        Ids(cases);
        Queries(cases, "AiDecisions", new Dictionary<string, string[]>
        {
            ["limit"] = ["abc", "0", "-1", "1001", "1e3", "99999999999999999999", "5x", "0x10", "½", "%FF"],
            ["from"] = ["yesterday", "2026-13-01", "2026-02-30T10:00:00Z", "not-a-time", "10:61", "%00"],
            ["to"] = ["tomorrow", "2026-00-10", "32/01/2026", "now"],
            ["strategy"] = ["hodl", "scalping!", "x" + new string('y', 500)],
            ["symbol"] = ["BTC", "BTC//USDT", "/", "a/b/c", "BTC\u0001/USDT"],
            ["cursor"] = ["bad cursor!", new string('c', 500), "<script>", "..%2F..", "a\u0000b"],
        });
        cases.Add(Query("AiDecisions", "?from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", ["from"]));
        Queries(cases, "AiTrades", new Dictionary<string, string[]>
        {
            ["format"] = ["xml", "JSON", "csv;", "json\u0000", new string('f', 300)],
            ["limit"] = ["abc", "0", "-5", "1001", "1.5", "99999999999999999999"],
            ["from"] = ["yesterday", "2026-13-01", "2026-02-30", "3000000-01-01"],
            ["to"] = ["soon", "2026-1-1x", "99/99/9999"],
            ["symbol"] = ["BTC", "BTC//USDT", "/", "a/b/c"],
            ["cursor"] = ["nope", "_", "1_", "_x", "99999999999999999999999_a", new string('9', 300) + "_a"],
        });
        cases.Add(Query("AiTrades", "?from=2026-03-05&to=2026-03-01", ["from"]));
        for (var c = '\u0001'; c < ' '; c++)
        {
            cases.Add(Query("AiDecisions", $"?cursor=a{Uri.EscapeDataString(c.ToString())}b", ["cursor"]));
            cases.Add(Query("AiTrades", $"?cursor=1{Uri.EscapeDataString(c.ToString())}_b", ["cursor"]));
        }
        cases.Add(Query("AiTrades", "?from=2024-01-01&to=2026-03-01", ["from"]));
        Queries(cases, "AiPerformance", new Dictionary<string, string[]>
        {
            ["symbol"] = ["BTC", "BTC//USDT", "/", "a/b/c", "BTC\u0001/USDT"],
            ["strategy"] = ["hodl", "scalping!", "x" + new string('y', 500)],
            ["model"] = [new string('m', 201), "gpt\u0000", "a\u0007b", "x\u001fy"],
            ["from"] = ["yesterday", "2026-13-01", "2026-02-30T10:00:00Z", "%00"],
            ["to"] = ["soon", "2026-00-10", "99/99/9999"],
        });
        cases.Add(Query("AiPerformance", "?from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", ["from"]));

        // Functions without input ignore whatever they are sent.
        foreach (var function in new[] { "ScalpingStatus", "ArbitrageStatus", "Health", "OpenApi", "Dashboard" })
        {
            foreach (var query in new[] { "?x=1", "?limit=abc&from=yesterday", "?%00=%00", "?a=" + new string('a', 2000), "?symbol=BTC%2F%2FUSDT&&&=", "?format=xml&cursor=<script>" })
            {
                cases.Add(new FuzzCase(function, null, query, null, false, []));
            }
        }

        return cases;
    }

    private static void Bodies(List<FuzzCase> cases, string function, string field, string rest, string[] fields)
    {
        foreach (var body in NotObjects)
        {
            cases.Add(Post(function, body, fields));
        }

        foreach (var value in NotStrings)
        {
            cases.Add(Post(function, $"{{\"{field}\":{value}{rest}}}", [field]));
        }

        foreach (var symbol in BadSymbols)
        {
            cases.Add(Post(function, $"{{\"{field}\":{Quote(symbol)}{rest}}}", [field]));
        }

        // Every C0 control character inside the symbol: escaped (valid JSON, not a symbol) and raw (not valid JSON).
        for (var c = '\u0001'; c < ' '; c++)
        {
            cases.Add(Post(function, $"{{\"{field}\":{Quote($"BTC{c}/USDT")}{rest}}}", [field]));
            cases.Add(Post(function, $"{{\"{field}\":\"BTC{c}/USDT\"{rest}}}", [field, "body"]));
        }

        cases.Add(Post(function, $"{{\"{field}\":null{rest}}}", [field]));
        cases.Add(Post(function, rest.Length == 0 ? "{}" : $"{{{rest[1..]}}}", [field]));
        cases.Add(Post(function, $"{{\"{field}\":\"BTC/USDT\",\"{field}\":\"BTC/USDT\"{rest}}}", fields));
        cases.Add(Post(function, $"{{\"{field}\":{new string('[', 200)}{new string(']', 200)}{rest}}}", fields));
        cases.Add(Post(function, $"{{\"{field}\":{{\"a\":{{\"b\":{{\"c\":{{\"d\":\"BTC/USDT\"}}}}}}}}{rest}}}", fields));

        // Invalid UTF-8 inside the string and as the whole body.
        cases.Add(new FuzzCase(function, null, string.Empty, [.. "{\""u8, .. Encoding.UTF8.GetBytes(field), .. "\":\"BTC"u8, 0xFF, 0xFE, .. "/USDT\"}"u8], false, fields));
        cases.Add(new FuzzCase(function, null, string.Empty, [0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1], false, fields));

        // Oversized: Content-Length given, and chunked (no length: the limit must hold while reading).
        var big = Encoding.UTF8.GetBytes($"{{\"{field}\":\"BTC/USDT\",\"pad\":\"{new string('x', 80 * 1024)}\"{rest}}}");
        cases.Add(new FuzzCase(function, null, string.Empty, big, false, ["body"]));
        cases.Add(new FuzzCase(function, null, string.Empty, big, true, ["body"]));
        cases.Add(new FuzzCase(function, null, string.Empty, Encoding.UTF8.GetBytes(new string(' ', 70 * 1024)), true, ["body"]));
        cases.Add(new FuzzCase(function, null, string.Empty, Encoding.UTF8.GetBytes($"{{\"{field}\":\"{new string('B', 60 * 1024)}/USDT\"{rest}}}"), true, [field]));
    }

    private static void Toggle(List<FuzzCase> cases, string function)
    {
        // The malformed bodies mention "symbol": a 400 may name it, the field where the JSON breaks.
        foreach (var body in NotObjects)
        {
            cases.Add(Post(function, body, ["body", "enabled", "symbol"]));
        }

        foreach (var value in NotBooleans.Concat(["null", "\"false\"", "\"off\""]))
        {
            cases.Add(Post(function, $"{{\"enabled\":{value}}}", ["enabled"]));
        }

        cases.Add(Post(function, "{}", ["enabled"]));
        cases.Add(Post(function, "{\"enable\":false}", ["enabled"]));
        cases.Add(Post(function, "{\"Enabled\":\"false\"}", ["enabled"]));
        cases.Add(Post(function, "{\"enabled\":false,\"enabled\":false}", ["body", "enabled"]));
        cases.Add(new FuzzCase(function, null, string.Empty, Encoding.UTF8.GetBytes($"{{\"enabled\":false,\"pad\":\"{new string('x', 70 * 1024)}\"}}"), true, ["body"]));
    }

    private static void Ids(List<FuzzCase> cases)
    {
        string[] bad = ["a b", "x\u0000y", "\n", "line\r\nbreak", "%", "'", "<>", "é", "a.b", "semi;colon", "tab\t", new string('d', 65), new string('d', 3000), "\u007f", "💥"];
        foreach (var id in bad)
        {
            cases.Add(new FuzzCase("AiDecisionById", id, string.Empty, null, false, ["id"]));
        }

        // A manual close refuses only what cannot be a position id (blank, control characters, longer than 200).
        string[] badPositions = [" ", "\t", "x\u0000y", "line\r\nbreak", "\u001b[31m", "\u007f", new string('p', 201), new string('p', 3000), "a\u0085b"];
        foreach (var id in badPositions)
        {
            cases.Add(new FuzzCase("ScalpingClosePosition", id, string.Empty, null, false, ["id"]));
            cases.Add(new FuzzCase("ScalpingClosePosition", id, "?force=true", Encoding.UTF8.GetBytes("{\"garbage\":"), false, ["id"]));
        }
    }

    private static void Queries(List<FuzzCase> cases, string function, Dictionary<string, string[]> bad)
    {
        foreach (var (name, values) in bad)
        {
            foreach (var value in values)
            {
                // Alone, and beside valid parameters.
                var companion = name != "symbol" ? "symbol=BTC%2FUSDT" : function == "AiTrades" ? "format=json" : "strategy=scalping";
                cases.Add(Query(function, $"?{name}={Escape(value)}", [name]));
                cases.Add(Query(function, $"?{companion}&{name}={Escape(value)}", [name]));
            }
        }
    }

    /// <summary>Percent-encodes, except a value already written percent-encoded on purpose (<c>%FF</c>, <c>%00</c>).</summary>
    private static string Escape(string value) => value.StartsWith('%') && value.Length == 3 ? value : Uri.EscapeDataString(value);

    private static FuzzCase Post(string function, string body, string[] fields) => new(function, null, string.Empty, Encoding.UTF8.GetBytes(body), false, fields);

    private static FuzzCase Query(string function, string query, string[] fields) => new(function, null, query, null, false, fields);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}
