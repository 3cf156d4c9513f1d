using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Composition;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Every HTTP function needs a key, found by reflection so a new function cannot slip through; and an unexpected
/// exception inside a function answers a clean 500 problem document with a trace id and nothing internal, through the
/// Functions worker's middleware and through <c>neuratrade serve</c>'s.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionSafetyTests(AzuriteFixture azurite)
{
    /// <summary>The functions that may be called without a key, on purpose (none today; a health probe would be one).</summary>
    private static readonly HashSet<string> Public = new(StringComparer.Ordinal);

    private const string Secret = "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0";

    [Fact]
    public void Every_http_function_needs_a_function_key_unless_listed_as_public()
    {
        var triggers = typeof(ScalpingFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .ToList();

        // The seed's four endpoints, the kill switch, manual close and the decision queries: every one is found.
        Assert.True(triggers.Count >= 8, $"found {triggers.Count} HTTP functions");
        foreach (var route in new[] { "v1/ai/analyze", "v1/ai/decision", "v1/ai/scalping/status", "v1/ai/scalping/toggle", "v1/ai/scalping/kill", "v1/ai/scalping/positions/{id}/close", "v1/ai/decisions", "v1/ai/decisions/{id}" })
        {
            Assert.Contains(triggers, t => t.Trigger!.Route == route);
        }

        Assert.All(triggers, t => Assert.True(
            Public.Contains(t.Function!.Name) || t.Trigger!.AuthLevel != AuthorizationLevel.Anonymous,
            $"{t.Function!.Name} ({t.Trigger!.Route}) is anonymous: it trades, toggles or reveals positions; give it AuthorizationLevel.Function or list it in Public"));
        Assert.All(Public, name => Assert.Contains(triggers, t => t.Function!.Name == name));

        // The local host serves exactly these functions.
        Assert.Equal(triggers.Select(t => t.Function!.Name).Order(), FunctionCatalog.Discover(typeof(ScalpingFunctions).Assembly, null).Http.Select(h => h.Name).Order());
    }

    [Fact]
    public async Task An_unexpected_exception_through_serve_is_a_500_problem_with_a_trace_id_and_nothing_internal()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, services: s => s.AddSingleton(Failing()));

        var response = await host.Http.PostAsJsonAsync("/api/v1/ai/analyze", new { symbol = "BTC/USDT" });
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertCleanProblem(response.Content.Headers.ContentType?.MediaType, text);
    }

    [Fact]
    public async Task An_unexpected_exception_through_the_worker_middleware_is_a_500_problem_with_the_invocation_id()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InvocationId).Returns("inv-4242");
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns("AiAnalyze");
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        var middleware = new ProblemDetailsMiddleware(NullLogger<ProblemDetailsMiddleware>.Instance);

        await middleware.Invoke(context.Object, _ => throw new InvalidOperationException($"storage said: {Secret}"));

        http.Response.Body.Position = 0;
        var text = await new StreamReader(http.Response.Body).ReadToEndAsync();
        Assert.Equal(500, http.Response.StatusCode);
        AssertCleanProblem(http.Response.ContentType, text);
        Assert.Contains("inv-4242", text, StringComparison.Ordinal);
    }

    /// <summary>A problem document (RFC 7807) with a trace id in its detail, and neither the exception's text nor a stack.</summary>
    private static void AssertCleanProblem(string? contentType, string text)
    {
        Assert.StartsWith("application/problem+json", contentType, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.Contains("trace id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    /// <summary>An exchange whose ticker read fails with an exception nobody expects, carrying text that must not leak.</summary>
    private static IExchange Failing()
    {
        var exchange = new Mock<IExchange>();
        exchange.SetupGet(e => e.Name).Returns("failing");
        exchange.SetupGet(e => e.Markets).Returns(["BTC/USDT"]);
        exchange.Setup(e => e.FetchTickerAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException($"storage said: {Secret}"));
        exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException($"storage said: {Secret}"));
        return exchange.Object;
    }
}
