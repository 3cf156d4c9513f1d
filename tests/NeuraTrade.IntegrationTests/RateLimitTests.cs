using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Functions;
using NeuraTrade.Functions.RateLimits;
using NeuraTrade.Functions.Settings;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>analyze</c> and <c>decision</c> share a token bucket per client (function key name, else remote address) per
/// instance: a 429 problem with <c>Retry-After</c> when it is empty, refilled on the injected wall clock; configurable under
/// <c>RateLimits</c>, off with <c>PerMinute</c> 0, and known to the settings check.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RateLimitTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_bucket_of_three_at_six_a_minute_allows_three_then_one_every_ten_seconds_per_client()
    {
        var time = new FakeTimeProvider(Start);
        var limiter = new ApiRateLimiter(Options.Create(new RateLimitOptions { PerMinute = 6, Burst = 3 }), time);

        Assert.Equal([null, null, null], [limiter.TryAcquire("ip:10.0.0.1"), limiter.TryAcquire("ip:10.0.0.1"), limiter.TryAcquire("ip:10.0.0.1")]);
        Assert.Equal(TimeSpan.FromSeconds(10), limiter.TryAcquire("ip:10.0.0.1"));
        Assert.Null(limiter.TryAcquire("ip:10.0.0.2")); // another client has its own bucket

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), limiter.TryAcquire("ip:10.0.0.1"));
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Null(limiter.TryAcquire("ip:10.0.0.1"));
        Assert.Equal(TimeSpan.FromSeconds(10), limiter.TryAcquire("ip:10.0.0.1"));

        // An hour idle refills to the burst, no more.
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal([null, null, null], [limiter.TryAcquire("ip:10.0.0.1"), limiter.TryAcquire("ip:10.0.0.1"), limiter.TryAcquire("ip:10.0.0.1")]);
        Assert.Equal(TimeSpan.FromSeconds(10), limiter.TryAcquire("ip:10.0.0.1"));
    }

    [Fact]
    public void Per_minute_zero_turns_the_limit_off()
    {
        var limiter = new ApiRateLimiter(Options.Create(new RateLimitOptions { PerMinute = 0, Burst = 1 }), new FakeTimeProvider(Start));

        Assert.All(Enumerable.Range(0, 1_000), _ => Assert.Null(limiter.TryAcquire("ip:10.0.0.1")));
    }

    [Fact]
    public async Task Through_the_function_class_analyze_and_decision_share_the_bucket_and_answer_429_with_retry_after()
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { ["RateLimits:PerMinute"] = "6", ["RateLimits:Burst"] = "2" });
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        var journal = app.Get<IDecisionStore>();

        var first = await CallAsync(app, r => functions.Analyze(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.1");
        var second = await CallAsync(app, r => functions.Decision(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.1");
        var limited = await CallAsync(app, r => functions.Decision(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.1");
        var badInput = await CallAsync(app, r => functions.Analyze(r, CancellationToken.None), """{"symbol":"NOPE/USDT"}""", "10.0.0.1");
        var otherClient = await CallAsync(app, r => functions.Analyze(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.2");
        var namedKey = await CallAsync(app, r => functions.Analyze(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.1", keyName: "ops");

        Assert.Equal((200, 200), (first.Status, second.Status));
        Assert.Equal(429, limited.Status);
        Assert.Equal("application/problem+json", limited.ContentType);
        Assert.Equal("10", limited.RetryAfter);
        var problem = JsonDocument.Parse(limited.Body).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("Too many requests.", problem.GetProperty("title").GetString());
        Assert.Equal(
            "analyze and decision allow each client 2 calls at once and 6 a minute (RateLimits:Burst, RateLimits:PerMinute); try again in 10 s.",
            problem.GetProperty("detail").GetString());
        Assert.Single(await journal.GetLatestAsync("BTC/USDT", 10, CancellationToken.None)); // the limited decision was never made
        Assert.Equal(400, badInput.Status); // bad input is checked first and costs nothing
        Assert.Equal(200, otherClient.Status);
        Assert.Equal(200, namedKey.Status); // a named function key is its own client, whatever the address

        app.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("1", (await CallAsync(app, r => functions.Analyze(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.1")).RetryAfter);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await CallAsync(app, r => functions.Analyze(r, CancellationToken.None), """{"symbol":"BTC/USDT"}""", "10.0.0.1")).Status);
    }

    [Fact]
    public async Task Through_serve_over_http_the_second_call_of_a_bucket_of_one_is_a_429_with_retry_after()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["RateLimits:PerMinute"] = "1", ["RateLimits:Burst"] = "1" });

        using var first = await host.Http.PostAsJsonAsync("/api/v1/ai/analyze", new { symbol = "BTC/USDT" });
        using var second = await host.Http.PostAsJsonAsync("/api/v1/ai/decision", new { symbol = "BTC/USDT" });

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal((HttpStatusCode)429, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32());

        // One call a minute: the next comes at most 60 s after the first (seconds, rounded up).
        var retryAfter = second.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void The_section_is_known_to_the_settings_check_in_both_spellings_and_a_typo_is_named()
    {
        Assert.Empty(SeedSpellings.UnknownKeys(["RateLimits:PerMinute", "RateLimits:Burst", "rate_limits:per_minute"]));
        Assert.Equal(["RateLimits:PerMinut is not a setting: did you mean RateLimits:PerMinute?"], SeedSpellings.UnknownKeys(["RateLimits:PerMinut"]));
    }

    [Fact]
    public async Task A_burst_below_one_stops_the_app_naming_the_key()
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { ["RateLimits:Burst"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Get<IOptions<RateLimitOptions>>().Value);

        Assert.Contains("RateLimits:Burst must be a whole number from 1 to 100000.", error.Message, StringComparison.Ordinal);
    }

    private sealed record Answer(int Status, string? ContentType, string Body, string? RetryAfter);

    /// <summary>A POST with <paramref name="json"/> from <paramref name="address"/> (with a platform key identity when named), as the worker hands it over.</summary>
    private static async Task<Answer> CallAsync(TestApp app, Func<HttpRequest, Task<IActionResult>> function, string json, string address, string? keyName = null)
    {
        var http = new DefaultHttpContext { RequestServices = app.Services };
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);
        if (keyName is not null)
        {
            http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ApiRateLimiter.KeyIdClaim, keyName)], "WebJobsAuthLevel"));
        }

        http.Request.Method = "POST";
        http.Request.ContentType = "application/json";
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var result = (ContentResult)await function(http.Request);
        var retryAfter = http.Response.Headers.RetryAfter.ToString();
        return new Answer(result.StatusCode ?? 200, result.ContentType, result.Content ?? string.Empty, retryAfter.Length == 0 ? null : retryAfter);
    }
}
