using System.Text.Json;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>
/// ccxt's own Binance fixtures, spot cases (Fixtures/README.md): each real Binance payload is served from a loopback
/// server to our HttpClient-based adapter, and our unified structure must agree with ccxt's parsedResponse; each
/// call must send what ccxt sends (path, query or body, ignoring skipKeys), signed with HMAC-SHA256.
/// </summary>
public sealed class CcxtConformanceTests
{
    public static TheoryData<string, string> ResponseCases() => ToTheory(ExchangeFixtures.ResponseCases());

    public static TheoryData<string, string> RequestCases() => ToTheory(ExchangeFixtures.RequestCases());

    [Theory]
    [MemberData(nameof(ResponseCases))]
    public async Task Unified_structure_agrees_with_ccxt_parsed_response(string method, string description)
    {
        var fixture = ExchangeFixtures.ResponseCase(method, description);
        await using var server = await BinanceLoopbackServer.StartAsync();
        var (verb, path) = ExchangeFixtures.Endpoint(method);
        server.Respond(verb, path, fixture.GetProperty("httpResponse").GetRawText());
        await using var app = TestBinance.Create(server);

        var ours = await CcxtShape.InvokeAsync(app.Exchange, method, fixture.GetProperty("input"), CancellationToken.None);

        Assert.Single(server.To(verb, path));
        CcxtShape.AssertMatches(fixture.GetProperty("parsedResponse"), ours);
    }

    [Theory]
    [MemberData(nameof(RequestCases))]
    public async Task Request_matches_what_ccxt_sends(string method, string description)
    {
        var fixture = ExchangeFixtures.RequestCase(method, description);
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server);

        await CcxtShape.InvokeAsync(app.Exchange, method, fixture.GetProperty("input"), CancellationToken.None);

        var (verb, path) = ExchangeFixtures.Endpoint(method);
        var expectedUrl = new Uri(fixture.GetProperty("url").GetString()!);
        Assert.Equal(expectedUrl.AbsolutePath, path);
        var sent = Assert.Single(server.To(verb, path));
        var expected = verb == "POST" ? fixture.GetProperty("output").GetString()! : expectedUrl.Query;
        var skip = ExchangeFixtures.RequestSkipKeys;
        Assert.Equal(Comparable(ExchangeFixtures.ParseQuery(expected), skip), Comparable(sent.Parameters, skip));

        if (sent.Parameters.Any(p => p.Key == "signature"))
        {
            SignatureAssert.IsValid(sent);
        }
    }

    private static List<string> Comparable(IEnumerable<KeyValuePair<string, string>> parameters, IReadOnlySet<string> skip) =>
        parameters.Where(p => !skip.Contains(p.Key)).Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal).ToList();

    private static TheoryData<string, string> ToTheory(IEnumerable<object[]> cases)
    {
        var data = new TheoryData<string, string>();
        foreach (var c in cases)
        {
            data.Add((string)c[0], (string)c[1]);
        }

        return data;
    }
}

/// <summary>What Binance checks on a SIGNED request.</summary>
internal static class SignatureAssert
{
    public static void IsValid(RecordedRequest sent)
    {
        var payload = sent.Payload;
        var at = payload.LastIndexOf("&signature=", StringComparison.Ordinal);
        Assert.True(at > 0, "signature is the last parameter");
        var expected = NeuraTrade.Exchanges.Binance.BinanceSigner.Sign(ExchangeFixtures.ApiSecret, payload[..at]);
        Assert.Equal(expected, payload[(at + "&signature=".Length)..]);
        Assert.Equal(ExchangeFixtures.ApiKey, sent.Headers["X-MBX-APIKEY"]);
        Assert.Contains(sent.Parameters, p => p.Key == "timestamp");
        Assert.Contains(sent.Parameters, p => p.Key == "recvWindow");
    }
}
