using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using NeuraTrade.Cli.LocalHost;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>serve</c> bound beyond loopback requires a key (<c>LocalHost:ApiKey</c>), as Azure requires function keys, and
/// refuses to start without one; with a key set, every request must send it in <c>x-functions-key</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostKeyTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData("http://127.0.0.1:7071", null)]
    [InlineData("http://localhost:7071", null)]
    [InlineData("http://[::1]:7071", null)]
    [InlineData("http://0.0.0.0:7071", "http://0.0.0.0:7071")]
    [InlineData("http://*:7071", "http://*:7071")]
    [InlineData("http://+:7071", "http://+:7071")]
    [InlineData("http://127.0.0.1:7071;http://192.168.1.5:7071", "http://192.168.1.5:7071")]
    public void Addresses_beyond_loopback_are_found(string urls, string? exposed) =>
        Assert.Equal(exposed, LocalFunctionHost.BeyondLoopback(urls));

    [Fact]
    public void Listening_beyond_loopback_without_a_key_refuses_to_start_naming_the_setting()
    {
        var error = Assert.Throws<InvalidOperationException>(() => LocalFunctionHost.Build("http://0.0.0.0:0", Storage));

        Assert.StartsWith("LocalHost:ApiKey is required: serve listens on http://0.0.0.0:0, beyond loopback", error.Message, StringComparison.Ordinal);
        Assert.Contains("LocalHost__ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_key_every_request_must_send_it_and_a_wrong_or_missing_key_is_a_401_problem()
    {
        const string key = "k-0123456789abcdef0123456789abcdef";
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["LocalHost:ApiKey"] = key });
        var status = new Uri("/api/v1/ai/scalping/status", UriKind.Relative);

        using var missing = await host.Http.GetAsync(status);
        using var wrongRequest = new HttpRequestMessage(HttpMethod.Get, status) { Headers = { { "x-functions-key", key + "x" } } };
        using var wrong = await host.Http.SendAsync(wrongRequest);
        using var rightRequest = new HttpRequestMessage(HttpMethod.Get, status) { Headers = { { "x-functions-key", key } } };
        using var right = await host.Http.SendAsync(rightRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, JsonDocument.Parse(await missing.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain(key, await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task With_a_key_serve_may_listen_beyond_loopback()
    {
        await using var app = LocalFunctionHost.Build("http://0.0.0.0:0", config =>
        {
            Storage(config);
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["LocalHost:ApiKey"] = "k-0123456789abcdef" });
        });
        await app.StartAsync();
        await app.StopAsync();
    }

    private void Storage(IConfigurationBuilder config) => config.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Storage:ConnectionString"] = azurite.ConnectionString,
        ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
    });
}
