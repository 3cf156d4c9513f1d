using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Auth;
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
    private const string Secret = "DefaultEndpointsProtocol=https;AccountKey=c2VjcmV0";

    /// <summary>The levels at which the platform asks for a key: a function key, the host key or the master key.</summary>
    private static readonly AuthorizationLevel[] KeyedLevels = [AuthorizationLevel.Function, AuthorizationLevel.System, AuthorizationLevel.Admin];

    [Fact]
    public void Every_http_function_needs_a_function_key_or_stricter_unless_listed_in_AnonymousFunctions()
    {
        var triggers = HttpTriggers();

        // Reflection finds every function written so far (hand-listed here, so an empty or partial search fails).
        foreach (var route in new[]
                 {
                     "v1/ai/analyze", "v1/ai/decision", "v1/ai/scalping/status", "v1/ai/scalping/toggle", "v1/ai/scalping/kill",
                     "v1/ai/scalping/positions/{id}/close", "v1/ai/decisions", "v1/ai/decisions/{id}", "v1/ai/trades", "health", "openapi.json",
                 })
        {
            Assert.Contains(triggers, t => t.Trigger.Route == route);
        }

        Assert.All(triggers, t => Assert.True(
            AnonymousFunctions.Names.Contains(t.Function.Name) || KeyedLevels.Contains(t.Trigger.AuthLevel),
            $"{t.Function.Name} ({t.Trigger.Route}) is {t.Trigger.AuthLevel}: it trades, toggles or reveals positions; give it AuthorizationLevel.Function or list it in AnonymousFunctions"));

        // Each deliberate exception is an HTTP function that exists and is no trading action.
        Assert.All(AnonymousFunctions.Names, name =>
        {
            var (method, _, _) = Assert.Single(triggers, t => t.Function.Name == name);
            Assert.Null(method.GetCustomAttribute<TradingActionAttribute>());
        });

        // The local host serves exactly these functions, at the same levels.
        Assert.Equal(
            triggers.Select(t => (t.Function.Name, t.Trigger.AuthLevel)).Order(),
            FunctionCatalog.Discover(typeof(ScalpingFunctions).Assembly, null).Http.Select(h => (h.Name, h.AuthLevel)).Order());
    }

    /// <summary>Every <c>[Function]</c> method of the Functions app with an <c>[HttpTrigger]</c> parameter.</summary>
    internal static IReadOnlyList<(MethodInfo Method, FunctionAttribute Function, HttpTriggerAttribute Trigger)> HttpTriggers() =>
        typeof(ScalpingFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .Select(x => (x.Method, x.Function!, x.Trigger!))
            .ToList();

    /// <summary>Where a fault is injected: the exchange under <c>analyze</c>, or the decision journal under <c>decisions</c>.</summary>
    public static TheoryData<string> Faults => new() { "analyze", "decisions" };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task An_unexpected_exception_through_serve_is_a_500_problem_with_a_trace_id_that_the_log_holds_and_nothing_internal(string fault)
    {
        var logs = new CapturedLogs();
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, services: s =>
        {
            Inject(s, fault);
            s.AddSingleton<ILoggerProvider>(logs);
        });

        using var response = fault == "analyze"
            ? await host.Http.PostAsJsonAsync("/api/v1/ai/analyze", new { symbol = "BTC/USDT" })
            : await host.Http.GetAsync(new Uri("/api/v1/ai/decisions", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var traceId = AssertCleanProblem(response.Content.Headers.ContentType?.MediaType, text);
        var logged = Assert.Single(logs.AtLeast(LogLevel.Error), e => e.Message.Contains(traceId, StringComparison.Ordinal));
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task An_unexpected_exception_in_a_function_class_through_the_worker_middleware_is_a_500_problem_with_the_invocation_id(string fault)
    {
        await using var app = TestApp.Create(azurite, new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero), services: s => Inject(s, fault));
        var http = new DefaultHttpContext { RequestServices = app.Services };
        http.Response.Body = new MemoryStream();
        FunctionExecutionDelegate function;
        if (fault == "analyze")
        {
            http.Request.Method = "POST";
            http.Request.ContentType = "application/json";
            http.Request.Body = new MemoryStream("""{"symbol":"BTC/USDT"}"""u8.ToArray());
            var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
            function = async _ => await functions.Analyze(http.Request, CancellationToken.None);
        }
        else
        {
            http.Request.Method = "GET";
            var functions = ActivatorUtilities.CreateInstance<DecisionFunctions>(app.Services);
            function = async _ => await functions.List(http.Request, CancellationToken.None);
        }

        var context = new Mock<FunctionContext>();
        context.SetupGet(c => c.InvocationId).Returns("inv-4242");
        context.SetupGet(c => c.Items).Returns(new Dictionary<object, object> { ["HttpRequestContext"] = http });
        var definition = new Mock<FunctionDefinition>();
        definition.SetupGet(d => d.Name).Returns(fault == "analyze" ? "AiAnalyze" : "AiDecisions");
        context.SetupGet(c => c.FunctionDefinition).Returns(definition.Object);
        var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        var middleware = new ProblemDetailsMiddleware(loggers.CreateLogger<ProblemDetailsMiddleware>());

        await middleware.Invoke(context.Object, function);

        http.Response.Body.Position = 0;
        var text = await new StreamReader(http.Response.Body).ReadToEndAsync();
        Assert.Equal(500, http.Response.StatusCode);
        Assert.Equal("inv-4242", AssertCleanProblem(http.Response.ContentType, text));
        var logged = Assert.Single(logs.AtLeast(LogLevel.Error));
        Assert.Contains("inv-4242", logged.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    /// <summary>
    /// A problem document (RFC 7807) with a trace id in <c>trace_id</c> and its detail, and neither the exception's text nor
    /// a stack; the trace id.
    /// </summary>
    private static string AssertCleanProblem(string? contentType, string text)
    {
        Assert.StartsWith("application/problem+json", contentType, StringComparison.Ordinal);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        Assert.Equal("An unexpected error occurred.", problem.GetProperty("title").GetString());
        var traceId = problem.GetProperty("trace_id").GetString();
        Assert.False(string.IsNullOrWhiteSpace(traceId));
        Assert.Equal($"The failure was logged with trace id {traceId}.", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("AccountKey", text, StringComparison.Ordinal);
        Assert.DoesNotContain("storage said", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
        return traceId!;
    }

    private static void Inject(IServiceCollection services, string fault)
    {
        if (fault == "analyze")
        {
            services.AddSingleton(FailingExchange());
        }
        else
        {
            services.AddSingleton(FailingJournal());
        }
    }

    /// <summary>An exchange whose ticker read fails with an exception nobody expects, carrying text that must not leak.</summary>
    private static IExchange FailingExchange()
    {
        var exchange = new Mock<IExchange>();
        exchange.SetupGet(e => e.Name).Returns("failing");
        exchange.SetupGet(e => e.Markets).Returns(["BTC/USDT"]);
        exchange.Setup(e => e.FetchTickerAsync(It.IsAny<string>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException($"storage said: {Secret}"));
        exchange.Setup(e => e.LoadMarketsAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException($"storage said: {Secret}"));
        return exchange.Object;
    }

    /// <summary>A decision journal whose query fails with an exception nobody expects, carrying text that must not leak.</summary>
    private static IDecisionStore FailingJournal()
    {
        var journal = new Mock<IDecisionStore>();
        journal.Setup(j => j.QueryAsync(It.IsAny<DecisionQuery>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException($"storage said: {Secret}"));
        return journal.Object;
    }
}
