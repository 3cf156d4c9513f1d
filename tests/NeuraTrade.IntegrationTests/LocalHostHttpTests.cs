using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>neuratrade serve</c> over real HTTP on loopback Kestrel: the seed's curl calls, the timer running on its
/// schedule, and the toggle stopping new entries.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostHttpTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LoopbackFunctionHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["ScalpingScanSchedule"] = "* * * * * *" });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task The_seed_curl_calls_succeed()
    {
        var analyze = await _host.Http.PostAsJsonAsync("/api/v1/ai/analyze", new { symbol = "BTC/USDT" });
        var decision = await _host.Http.PostAsJsonAsync("/api/v1/ai/decision", new { symbol = "BTC/USDT", strategy = "scalping" });
        var status = await _host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative));
        var toggle = await _host.Http.PostAsJsonAsync("/api/v1/ai/scalping/toggle", new { enabled = true });

        Assert.Equal(HttpStatusCode.OK, analyze.StatusCode);
        Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, toggle.StatusCode);
        Assert.Equal("application/json", decision.Content.Headers.ContentType?.MediaType);
        var body = await Json(decision);
        foreach (var field in FunctionClassTests.SeedDecisionFields)
        {
            Assert.True(body.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.True((await Json(toggle)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Bad_input_over_http_is_a_problem_document()
    {
        using var content = new StringContent("{\"symbol\":", System.Text.Encoding.UTF8, "application/json");
        var response = await _host.Http.PostAsync(new Uri("/api/v1/ai/decision", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, (await Json(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Routes_and_methods_are_exactly_the_functions_declared()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync(new Uri("/api/v1/ai/nothing", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await _host.Http.GetAsync(new Uri("/api/v1/ai/decision", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _host.Http.GetAsync(new Uri("/v1/ai/scalping/status", UriKind.Relative))).StatusCode);
        var catalog = _host.App.Services.GetRequiredService<FunctionCatalog>();
        Assert.Equal(
            ["AiAnalyze", "AiDecision", "AiDecisionById", "AiDecisions", "AiPerformance", "AiTrades", "ArbitrageStatus", "ArbitrageToggle", "Dashboard", "Health", "OpenApi", "ScalpingClosePosition", "ScalpingKill", "ScalpingStatus", "ScalpingToggle"],
            catalog.Http.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["ArbitrageScan", "ScalpingScan"], catalog.Timers.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(("ScalpingSymbolScan", "%ScalpingScanQueue%"), Assert.Single(catalog.Queues) is var q ? (q.Name, q.QueueName) : default);

        // The trade history over real HTTP: CSV with its header, and a 400 problem for a bad parameter.
        using var csv = await _host.Http.GetAsync(new Uri("/api/v1/ai/trades?format=csv", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("position_id,decision_id,symbol,", await csv.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var bad = await _host.Http.GetAsync(new Uri("/api/v1/ai/trades?limit=abc", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Timer_scans_on_schedule_and_toggling_off_stops_new_decisions()
    {
        var decisions = _host.App.Services.GetRequiredService<IDecisionStore>();
        var firstScan = await WaitForScanAfterAsync(null);
        var scanned = await decisions.GetLatestAsync("BTC/USDT", 100, CancellationToken.None);
        Assert.Contains(scanned, d => d.Source == DecisionSource.Scan);

        await _host.Http.PostAsJsonAsync("/api/v1/ai/decision", new { symbol = "BTC/USDT" });
        Assert.Contains(await decisions.GetLatestAsync("BTC/USDT", 100, CancellationToken.None), d => d.Source == DecisionSource.Api);

        var off = await Json(await _host.Http.PostAsJsonAsync("/api/v1/ai/scalping/toggle", new { enabled = false }));
        Assert.False(off.GetProperty("active").GetBoolean());
        var afterToggle = await WaitForScanAfterAsync(firstScan);
        var settled = (await decisions.GetLatestAsync("BTC/USDT", 100, CancellationToken.None)).Count;
        var later = await WaitForScanAfterAsync(afterToggle);

        var status = await Json(await _host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative)));
        Assert.False(status.GetProperty("active").GetBoolean());
        Assert.Equal("scalping is toggled off", status.GetProperty("paused_reason").GetString());
        Assert.Equal("paper", status.GetProperty("trading_mode").GetString());
        Assert.StartsWith("skipped", status.GetProperty("last_scan_result").GetString(), StringComparison.Ordinal);
        Assert.True(later > afterToggle);
        Assert.Equal(settled, (await decisions.GetLatestAsync("BTC/USDT", 100, CancellationToken.None)).Count);
    }

    private async Task<DateTimeOffset> WaitForScanAfterAsync(DateTimeOffset? after)
    {
        var state = _host.App.Services.GetRequiredService<IScalpingStateStore>();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (DateTimeOffset.UtcNow < deadline)
        {
            var last = (await state.GetAsync(CancellationToken.None)).LastScanAt;
            if (last is { } at && (after is null || at > after))
            {
                return at;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no scan ran within 20 s");
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
