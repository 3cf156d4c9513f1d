using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>GET /api/health</c>: 200 healthy on the default paper app with the last scan's age; 503 naming the failing part when
/// storage, the exchange or the LLM's breaker fails; never a configured secret; anonymous on <c>serve</c> even with a key.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HealthTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private const string LlmKey = "sk-health-0123456789-do-not-show";

    [Fact]
    public async Task The_default_paper_app_is_healthy_with_paper_mode_and_the_age_of_its_last_scan()
    {
        await using var app = TestApp.Create(azurite, Start);
        await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        app.Time.Advance(TimeSpan.FromSeconds(30));

        var (status, json, http) = await CallAsync(app.Services);

        Assert.Equal(200, status);
        Assert.Equal("no-store", http.Response.Headers.CacheControl.ToString());
        Assert.Equal("healthy", json.GetProperty("status").GetString());
        Assert.Empty(json.GetProperty("failing").EnumerateArray());
        Assert.Equal("paper", json.GetProperty("trading_mode").GetString());
        var checks = json.GetProperty("checks");
        Assert.True(checks.GetProperty("storage").GetProperty("healthy").GetBoolean());
        Assert.Equal("Table Storage answered", checks.GetProperty("storage").GetProperty("detail").GetString());
        Assert.True(checks.GetProperty("exchange").GetProperty("healthy").GetBoolean());
        Assert.Equal("BTC/USDT quoted", checks.GetProperty("exchange").GetProperty("detail").GetString());
        Assert.False(checks.GetProperty("exchange").GetProperty("replay_finished").GetBoolean());
        Assert.Equal("rules", checks.GetProperty("llm").GetProperty("provider").GetString());
        Assert.Equal("rules-v1", checks.GetProperty("llm").GetProperty("model").GetString());
        Assert.Empty(checks.GetProperty("llm").GetProperty("circuits").EnumerateObject());

        // 30 wall seconds at the pinned replay speed of 30: 900 market seconds since the scan.
        Assert.Equal(900m, checks.GetProperty("scanner").GetProperty("last_scan_age_seconds").GetDecimal());
        Assert.Equal(TestApp.MarketTimeAt(Start), checks.GetProperty("scanner").GetProperty("last_scan_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Storage_down_is_a_503_naming_storage()
    {
        var outage = new StorageOutage();
        using var host = outage.CreateApp(azurite, new FakeTimeProvider(Start));
        outage.Down = true;

        var (status, json, _) = await CallAsync(host.Services);

        Assert.Equal(503, status);
        Assert.Equal("unhealthy", json.GetProperty("status").GetString());
        Assert.Contains("storage", json.GetProperty("failing").EnumerateArray().Select(f => f.GetString()));
        var storage = json.GetProperty("checks").GetProperty("storage");
        Assert.False(storage.GetProperty("healthy").GetBoolean());
        Assert.Equal("Table Storage could not be reached", storage.GetProperty("detail").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("checks").GetProperty("scanner").GetProperty("last_scan_at").ValueKind);
    }

    [Fact]
    public async Task An_exchange_that_is_down_is_a_503_naming_the_exchange_only()
    {
        var exchange = new Mock<IExchange>();
        exchange.SetupGet(e => e.Name).Returns("binance");
        exchange.SetupGet(e => e.Mode).Returns(TradingMode.Live);
        exchange.SetupGet(e => e.Markets).Returns(["BTC/USDT"]);
        exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ReturnsAsync(new Dictionary<string, MarketInfo>());
        exchange.Setup(e => e.FetchTickerAsync("BTC/USDT", It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, "api.binance.com said 503 to key abc"));
        await using var app = TestApp.Create(azurite, Start, services: s => s.AddSingleton(exchange.Object));

        var (status, json, http) = await CallAsync(app.Services);

        Assert.Equal(503, status);
        Assert.Equal(["exchange"], json.GetProperty("failing").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("live", json.GetProperty("trading_mode").GetString());
        var check = json.GetProperty("checks").GetProperty("exchange");
        Assert.Equal("binance", check.GetProperty("name").GetString());
        Assert.Equal("the exchange is not available (exchange_not_available)", check.GetProperty("detail").GetString());
        Assert.DoesNotContain("key abc", Body(http), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_llm_breaker_is_a_503_naming_the_llm_and_no_secret_is_ever_in_the_body()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop(); // nothing listens there now: every LLM call is refused at once
        var settings = new Dictionary<string, string?>
        {
            ["AI:Provider"] = "openai",
            ["AI:Model"] = "gpt-4o-mini",
            ["AI:ApiKey"] = LlmKey,
            ["AI:Endpoint"] = $"http://127.0.0.1:{port}/v1",
            ["AI:MaxRetries"] = "2",
            ["AI:RetryBaseDelayMs"] = "0",
            ["Scalping:Symbols"] = "ETH/BTC,LTC/BTC,XMR/BTC",
        };
        await using var app = TestApp.Create(azurite, Start, settings);
        var secrets = new[] { LlmKey, azurite.ConnectionString, AccountKey(azurite.ConnectionString) };

        var (before, healthy, healthyHttp) = await CallAsync(app.Services);
        await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        var (after, broken, brokenHttp) = await CallAsync(app.Services);

        Assert.Equal(200, before);
        Assert.Equal("closed", healthy.GetProperty("checks").GetProperty("llm").GetProperty("circuits").GetProperty("brain").GetString());
        Assert.Equal("openai", healthy.GetProperty("checks").GetProperty("llm").GetProperty("provider").GetString());
        Assert.Equal(503, after);
        Assert.Equal(["llm"], broken.GetProperty("failing").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("open", broken.GetProperty("checks").GetProperty("llm").GetProperty("circuits").GetProperty("brain").GetString());
        foreach (var body in new[] { Body(healthyHttp), Body(brokenHttp) })
        {
            Assert.All(secrets, secret => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
            Assert.DoesNotContain($"127.0.0.1:{port}", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Serve_answers_health_without_a_key_while_every_other_function_still_needs_it()
    {
        const string key = "k-health-0123456789abcdef0123456789";
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["LocalHost:ApiKey"] = key });

        using var health = await host.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
        using var status = await host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative));
        var text = await health.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("application/json", health.Content.Headers.ContentType?.MediaType);
        Assert.Equal("healthy", JsonDocument.Parse(text).RootElement.GetProperty("status").GetString());
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(AccountKey(azurite.ConnectionString), text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, status.StatusCode);
    }

    private static string AccountKey(string connectionString) =>
        connectionString.Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];

    private static string Body(HttpContext http)
    {
        http.Response.Body.Position = 0;
        return new StreamReader(http.Response.Body).ReadToEnd();
    }

    /// <summary>The health function called as the worker would, its result written to a response like the host writes it.</summary>
    private static async Task<(int Status, JsonElement Json, HttpContext Http)> CallAsync(IServiceProvider services)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Response.Body = new MemoryStream();
        http.Request.Method = "GET";
        var function = ActivatorUtilities.CreateInstance<HealthFunctions>(services);
        var result = (ContentResult)await function.Get(http.Request, CancellationToken.None);
        http.Response.StatusCode = result.StatusCode ?? 200;
        await http.Response.WriteAsync(result.Content ?? string.Empty);
        return (result.StatusCode ?? 200, JsonDocument.Parse(result.Content!).RootElement.Clone(), http);
    }
}
