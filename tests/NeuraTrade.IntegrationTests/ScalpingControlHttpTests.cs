using System.Net;
using System.Text.Json;

namespace NeuraTrade.IntegrationTests;

/// <summary>The manual-close and kill-switch routes over real HTTP on the local host (route values bound by name).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScalpingControlHttpTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LoopbackFunctionHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await LoopbackFunctionHost.StartAsync(azurite);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Closing_an_unknown_position_over_http_is_a_404_problem_naming_the_id()
    {
        var response = await _host.Http.PostAsync(new Uri("/api/v1/ai/scalping/positions/pos-missing/close", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("pos-missing", (await Json(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_over_http_turns_scalping_off_and_the_status_says_why()
    {
        var kill = await _host.Http.PostAsync(new Uri("/api/v1/ai/scalping/kill", UriKind.Relative), null);
        var status = await Json(await _host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.OK, kill.StatusCode);
        Assert.False((await Json(kill)).GetProperty("active").GetBoolean());
        Assert.False(status.GetProperty("active").GetBoolean());
        Assert.Equal("scalping is toggled off", status.GetProperty("paused_reason").GetString());
        Assert.True(status.GetProperty("limits").TryGetProperty("max_drawdown", out _));
        var books = status.GetProperty("books");
        Assert.True(books.TryGetProperty("agrees", out _));
        Assert.True(books.TryGetProperty("baseline_at", out _));
        Assert.Equal(JsonValueKind.String, books.GetProperty("checked_at").ValueKind);
        Assert.Equal(JsonValueKind.Array, books.GetProperty("currencies").ValueKind);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
