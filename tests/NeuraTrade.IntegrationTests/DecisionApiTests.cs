using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.IntegrationTests;

/// <summary><c>GET /api/v1/ai/decisions</c> and <c>/decisions/{id}</c> over real HTTP on the local host.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DecisionApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private LoopbackFunctionHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["ScalpingScanSchedule"] = "0 0 0 1 1 *" });
        var decisions = Enumerable.Range(0, 12)
            .Select(i => DecisionJournalTests.Decision($"api{i:D2}", i % 2 == 0 ? "BTC/USDT" : "ETH/USDT", i % 3 == 0 ? TradingStrategy.Analysis : TradingStrategy.Scalping, Start.AddMinutes(i)))
            .ToList();
        await _host.App.Services.GetRequiredService<IDecisionStore>().SaveManyAsync(decisions, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Decisions_for_a_symbol_come_newest_first_in_pages()
    {
        var first = await GetJsonAsync("/api/v1/ai/decisions?symbol=btc/usdt&limit=4");
        var cursor = first.GetProperty("next_cursor").GetString();
        var second = await GetJsonAsync($"/api/v1/ai/decisions?symbol=BTC/USDT&limit=4&cursor={cursor}");

        Assert.Equal(["api10", "api08", "api06", "api04"], Ids(first));
        Assert.Equal(["api02", "api00"], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Equal("rules-v1", first.GetProperty("decisions")[0].GetProperty("model_used").GetString());
    }

    [Fact]
    public async Task Decisions_for_a_strategy_in_a_time_range()
    {
        var page = await GetJsonAsync("/api/v1/ai/decisions?strategy=analysis&from=2026-03-02T10:01:00Z&to=2026-03-02T10:10:00Z");

        Assert.Equal(["api09", "api06", "api03"], Ids(page));
    }

    [Fact]
    public async Task A_decision_by_id_and_an_unknown_id_is_404()
    {
        var found = await _host.Http.GetAsync(new Uri("/api/v1/ai/decisions/api07", UriKind.Relative));
        var missing = await _host.Http.GetAsync(new Uri("/api/v1/ai/decisions/nothing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var body = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("api07", body.GetProperty("id").GetString());
        Assert.Equal("ETH/USDT", body.GetProperty("symbol").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("strategy=martingale", "strategy")]
    [InlineData("symbol=BTCUSDT", "symbol")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-03-05T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "from")]
    [InlineData("symbol=BTC/USDT&cursor=a%27b", "cursor")]
    public async Task Bad_query_values_are_400_naming_the_parameter(string query, string field)
    {
        var response = await _host.Http.GetAsync(new Uri($"/api/v1/ai/decisions?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}");
    }

    [Fact]
    public async Task The_cli_table_lists_each_decision_on_a_line()
    {
        var decisions = await _host.App.Services.GetRequiredService<IDecisionStore>().GetLatestAsync("ETH/USDT", 3, CancellationToken.None);

        var table = DecisionsCommand.Table(decisions).Split(Environment.NewLine);

        Assert.Equal(4, table.Length);
        Assert.Contains("api11", table[1], StringComparison.Ordinal);
        Assert.Contains("ETH/USDT", table[1], StringComparison.Ordinal);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _host.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static List<string?> Ids(JsonElement page) => page.GetProperty("decisions").EnumerateArray().Select(d => d.GetProperty("id").GetString()).ToList();
}
