using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Core.Scalping;
using NeuraTrade.TestSupport;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>GET /api/dashboard</c> through <c>neuratrade serve</c> with a key on Azurite: the page and its policy over HTTP, and the
/// page at work in real headless Chromium against a loopback LLM whose reasoning carries markup.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class DashboardTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Key = "dashboard-test-key-7f3a9c";

    /// <summary>Model-written text that would run if the page ever parsed it as HTML.</summary>
    private const string Reasoning = "Momentum up <script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> & \"quoted\"";

    private LoopbackChatServer _llm = null!;

    public async Task InitializeAsync() =>
        _llm = await LoopbackChatServer.StartAsync(
            body =>
            {
                var ask = DecisionAnswers.Ask(DecisionAnswers.Prompt(body));
                return (OpenAiWire.Text(DecisionAnswers.BuyAtAsk("ETH/BTC", ask, Reasoning, "<b>bold</b> claims")), "stop");
            },
            promptTokens: 1000,
            completionTokens: 100);

    public async Task DisposeAsync() => await _llm.DisposeAsync();

    [Fact]
    public async Task The_page_needs_the_key_and_comes_with_a_fresh_nonce_in_a_strict_policy_and_nothing_from_elsewhere()
    {
        await using var host = await StartAsync();

        // As a browser opens it: no header, the key in ?code= (or none).
        using var browser = new HttpClient { BaseAddress = host.Http.BaseAddress };
        using var keyless = await browser.GetAsync(new Uri("/api/dashboard", UriKind.Relative));
        using var wrongKey = await browser.GetAsync(new Uri("/api/dashboard?code=not-the-key", UriKind.Relative));
        using var first = await browser.GetAsync(new Uri($"/api/dashboard?code={Key}", UriKind.Relative));
        using var second = await browser.GetAsync(new Uri($"/api/dashboard?code={Key}", UriKind.Relative));
        var html = await first.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/html", first.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", first.Headers.GetValues("Content-Security-Policy"));
        var nonce = NonceIn().Match(policy).Groups[1].Value;
        Assert.True(nonce.Length >= 22, policy);
        Assert.NotEqual(nonce, NonceIn().Match(string.Join(";", second.Headers.GetValues("Content-Security-Policy"))).Groups[1].Value);
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToDictionary(d => d.Split(' ')[0], d => d);
        Assert.Equal("default-src 'none'", directives["default-src"]);
        Assert.Equal($"script-src 'nonce-{nonce}'", directives["script-src"]);
        Assert.Equal($"style-src 'nonce-{nonce}'", directives["style-src"]);
        Assert.Equal("connect-src 'self'", directives["connect-src"]);
        Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
        Assert.Equal("no-referrer", first.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());

        // Every script and style element carries the response's nonce; nothing is loaded from anywhere; no key in the page.
        Assert.All(Regex.Matches(html, "<(script|style)[^>]*>").Select(m => m.Value), tag => Assert.Contains($"nonce=\"{nonce}\"", tag, StringComparison.Ordinal));
        Assert.Equal(2, Regex.Count(html, "<(script|style)[^>]*>"));
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotMatch(" on[a-z]+=", html);
        Assert.DoesNotContain("innerHTML", html, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, html, StringComparison.Ordinal);
    }

    [ChromiumFact]
    public async Task In_headless_chromium_the_page_shows_the_decision_as_text_toggles_scalping_and_closes_a_position_without_errors()
    {
        await using var host = await StartAsync();
        using var decided = await host.Http.PostAsJsonAsync(new Uri("/api/v1/ai/decision", UriKind.Relative), new { symbol = "ETH/BTC", execute = true });
        var decision = JsonDocument.Parse(await decided.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(decided.IsSuccessStatusCode, decision.ToString());
        Assert.Equal(JsonValueKind.String, decision.GetProperty("executed_at").ValueKind);
        var decisionId = decision.GetProperty("id").GetString()!;
        var positions = host.App.Services.GetRequiredService<IPositionStore>();
        var position = Assert.Single(await positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal(decisionId, position.DecisionId);
        var activeBefore = (await StatusAsync(host)).GetProperty("active").GetBoolean();

        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(new Uri(host.Http.BaseAddress!, $"/api/dashboard?code={Key}"));

        // The decision made above, its reasoning as the model wrote it, shown as text: the markup in it never ran.
        var row = $"tr[data-decision-id={JsonSerializer.Serialize(decisionId)}]";
        await chromium.WaitUntilAsync(page, $"document.querySelector({JsonSerializer.Serialize(row + " .reasoning")})?.textContent === {JsonSerializer.Serialize(Reasoning)}", "the decision's reasoning");
        Assert.Equal(JsonValueKind.Undefined, (await chromium.EvaluateAsync(page, "window.__pwned")).ValueKind);
        Assert.Equal(0, (await chromium.EvaluateAsync(page, "document.querySelectorAll('#decisions script, #decisions img').length")).GetInt32());
        Assert.Equal("gpt-4o-mini", (await chromium.EvaluateAsync(page, $"document.querySelector({JsonSerializer.Serialize(row)}).children[5].textContent")).GetString());
        Assert.Equal("buy", (await chromium.EvaluateAsync(page, $"document.querySelector({JsonSerializer.Serialize(row)}).children[2].textContent")).GetString());
        await chromium.WaitUntilAsync(page, "document.querySelectorAll('#chart .entry').length > 0", "the entry on the price chart");

        // The toggle button flips the toggle: the status endpoint agrees, and so does the page.
        await chromium.WaitUntilAsync(page, "!document.getElementById('toggle').disabled", "the toggle button");
        await chromium.ClickAsync(page, "#toggle");
        await chromium.WaitUntilAsync(page, $"document.getElementById('toggle-state').textContent === {JsonSerializer.Serialize(activeBefore ? "OFF" : "ON")}", "the toggle to flip on the page");
        Assert.Equal(!activeBefore, (await StatusAsync(host)).GetProperty("active").GetBoolean());

        // The position's close button closes it: the positions store agrees, and the row leaves the page.
        var closeButton = $"tr[data-position-id={JsonSerializer.Serialize(position.Id)}] button.close";
        await chromium.WaitUntilAsync(page, $"!!document.querySelector({JsonSerializer.Serialize(closeButton)})", "the open position's close button");
        await chromium.ClickAsync(page, closeButton);
        await chromium.WaitUntilAsync(page, $"!document.querySelector({JsonSerializer.Serialize(closeButton)})", "the closed position to leave the page");
        Assert.DoesNotContain(await positions.GetOpenAsync(CancellationToken.None), p => p.Id == position.Id);

        Assert.Empty(chromium.Errors);
        Assert.Equal(0, (await chromium.EvaluateAsync(page, "window.__cspViolations.length")).GetInt32());

        // The policy is in force, not only sent: a script without the nonce, added now, is refused and reported.
        await chromium.EvaluateAsync(page, "(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); })()");
        await chromium.WaitUntilAsync(page, "window.__cspViolations.length > 0", "the policy to refuse a script without the nonce");
        Assert.Equal(JsonValueKind.Undefined, (await chromium.EvaluateAsync(page, "window.__ran")).ValueKind);
        Assert.StartsWith("script-src", (await chromium.EvaluateAsync(page, "window.__cspViolations[0]")).GetString(), StringComparison.Ordinal);
    }

    private async Task<LoopbackFunctionHost> StartAsync()
    {
        var host = await LoopbackFunctionHost.StartAsync(azurite, ReplayUniverse.WithBtcAccount(new Dictionary<string, string?>
        {
            ["LocalHost:ApiKey"] = Key,
            ["AI:Provider"] = "openai",
            ["AI:Model"] = "gpt-4o-mini",
            ["AI:ApiKey"] = "sk-test-not-a-real-key",
            ["AI:Endpoint"] = _llm.Endpoint,
            ["AI:RetryBaseDelayMs"] = "1",
            ["Scalping:Symbols"] = "ETH/BTC",
            ["Exchange:ReplayDirectory"] = "data/candles",
            ["Scalping:PositionHoldTime"] = "00:05:00",

            // No timer scan: only the test and the page act.
            ["ScalpingScanSchedule"] = "0 0 0 1 1 *",
        }));
        host.Http.DefaultRequestHeaders.Add("x-functions-key", Key);
        return host;
    }

    private static async Task<JsonElement> StatusAsync(LoopbackFunctionHost host)
    {
        using var response = await host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    [GeneratedRegex("script-src 'nonce-([A-Za-z0-9+/=]+)'")]
    private static partial Regex NonceIn();
}
