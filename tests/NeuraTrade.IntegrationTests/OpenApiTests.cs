using System.Net;
using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>GET /api/openapi.json</c>: every HTTP function is in it at its route and method with its key requirement, and
/// nothing else; real answers of every function (successes and problems) validate against its schemas, which do reject a
/// wrong body; both hosts serve it.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenApiTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private readonly JsonNode _document = JsonNode.Parse(OpenApiDocument.Json)!;
    private readonly Dictionary<string, JsonElement> _successes = new(StringComparer.Ordinal);

    [Fact]
    public void Every_http_function_is_in_the_document_at_its_route_and_method_with_its_key_requirement_and_nothing_else()
    {
        var triggers = FunctionSafetyTests.HttpTriggers();

        Assert.Equal("3.1.0", _document["openapi"]!.GetValue<string>());
        Assert.Contains(triggers, t => t.Trigger.Route == "openapi.json");
        foreach (var (_, function, trigger) in triggers)
        {
            foreach (var method in trigger.Methods!)
            {
                var operation = _document["paths"]![$"/{trigger.Route}"]?[method.ToLowerInvariant()];
                Assert.True(operation is not null, $"{function.Name}: {method} /{trigger.Route} is not in the document");
                Assert.Equal(function.Name, operation["operationId"]!.GetValue<string>());
                var keyless = operation["security"]!.AsArray().Count == 0;
                Assert.Equal(trigger.AuthLevel == AuthorizationLevel.Anonymous, keyless);
                Assert.Equal(AnonymousFunctions.Names.Contains(function.Name), keyless);
                Assert.NotNull(operation["responses"]!["500"]);
            }
        }

        var documented = _document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]!.GetValue<string>()));
        Assert.Equal(triggers.Select(t => t.Function.Name).Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_request_examples_validate_and_the_schemas_reject_a_wrong_body()
    {
        var check = new SchemaCheck(_document);
        foreach (var path in _document["paths"]!.AsObject())
        {
            foreach (var operation in path.Value!.AsObject())
            {
                if (operation.Value!["requestBody"]?["content"]?["application/json"] is { } media)
                {
                    Assert.Empty(check.Validate(media["schema"], JsonDocument.Parse(media["example"]!.ToJsonString()).RootElement));
                }
            }
        }

        var analysis = Schema("v1/ai/analyze", "post", 200, MediaTypeNames.Application.Json);
        var body = JsonNode.Parse("""{"symbol":"BTC/USDT","trend":"up","analysis":"a","reasoning":"r","confidence":0.5,"setup_strength":null,"price":1,"indicators":{},"model_used":"rules-v1","tokens_used":0,"market_time":"2026-03-02T10:00:00+00:00"}""")!.AsObject();
        body.Remove("symbol");
        body["confidence"] = "high";
        body["market_time"] = "yesterday";
        var errors = check.Validate(analysis, JsonDocument.Parse(body.ToJsonString()).RootElement);
        Assert.Contains("$: 'symbol' is required", errors);
        Assert.Contains("$.confidence: String is not number", errors);
        Assert.Contains("$.market_time: 'yesterday' is not a date-time", errors);
        Assert.Contains(check.Validate(Schema("v1/ai/analyze", "post", 400, ApiResults.ProblemContentType), JsonDocument.Parse("""{"title":"x"}""").RootElement), e => e == "$: 'status' is required");
    }

    [Fact]
    public async Task Real_answers_of_every_function_validate_against_the_document()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt);
        var ai = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        var journal = ActivatorUtilities.CreateInstance<DecisionFunctions>(app.Services);
        var trades = ActivatorUtilities.CreateInstance<TradeFunctions>(app.Services);
        var scalping = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);
        var health = ActivatorUtilities.CreateInstance<HealthFunctions>(app.Services);
        var performance = ActivatorUtilities.CreateInstance<PerformanceFunctions>(app.Services);
        var covered = new HashSet<string>(StringComparer.Ordinal);

        await ValidAsync(covered, "v1/ai/analyze", "post", 200, ai.Analyze(FunctionClassTests.Post("""{"symbol":"BTC/USDT"}"""), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/analyze", "post", 400, ai.Analyze(FunctionClassTests.Post("""{"symbol":1}"""), CancellationToken.None));
        var decision = await ValidAsync(covered, "v1/ai/decision", "post", 200, ai.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT","execute":true}"""), CancellationToken.None));
        Assert.Equal("pending", decision.GetProperty("outcome").GetString()); // an entry: the status below has an open position
        await ValidAsync(covered, "v1/ai/decision", "post", 400, ai.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT","strategy":"hodl"}"""), CancellationToken.None));
        var status = await ValidAsync(covered, "v1/ai/scalping/status", "get", 200, scalping.Status(Get(), CancellationToken.None));
        var position = status.GetProperty("open_positions")[0].GetProperty("id").GetString()!;
        await ValidAsync(covered, "v1/ai/decisions", "get", 200, journal.List(Get("?symbol=BTC/USDT"), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/decisions", "get", 400, journal.List(Get("?limit=abc"), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/decisions/{id}", "get", 200, journal.Get(Get(), decision.GetProperty("id").GetString()!, CancellationToken.None));
        await ValidAsync(covered, "v1/ai/decisions/{id}", "get", 404, journal.Get(Get(), "no-such-decision", CancellationToken.None));
        await ValidAsync(covered, "v1/ai/decisions/{id}", "get", 400, journal.Get(Get(), "not an id!", CancellationToken.None));
        await ValidAsync(covered, "v1/ai/scalping/positions/{id}/close", "post", 200, scalping.ClosePosition(FunctionClassTests.Post(string.Empty), position, CancellationToken.None));
        await ValidAsync(covered, "v1/ai/scalping/positions/{id}/close", "post", 404, scalping.ClosePosition(FunctionClassTests.Post(string.Empty), position, CancellationToken.None));
        var history = await ValidAsync(covered, "v1/ai/trades", "get", 200, trades.List(Get(), CancellationToken.None)); // the last 7 market days
        Assert.Equal(1, history.GetProperty("count").GetInt32());
        var csv = Assert.IsType<ContentResult>(await trades.List(Get("?format=csv"), CancellationToken.None));
        Assert.NotNull(Operation("v1/ai/trades", "get")["responses"]!["200"]!["content"]![MediaTypeNames.Text.Csv]);
        Assert.StartsWith(MediaTypeNames.Text.Csv, csv.ContentType, StringComparison.Ordinal);
        await ValidAsync(covered, "v1/ai/trades", "get", 400, trades.List(Get("?format=xml"), CancellationToken.None));
        var learned = await ValidAsync(covered, "v1/ai/performance", "get", 200, performance.Get(Get("?symbol=BTC/USDT"), CancellationToken.None));
        Assert.Equal(1, learned.GetProperty("overall").GetProperty("trades").GetInt32()); // the position closed above, as its outcome
        await ValidAsync(covered, "v1/ai/performance", "get", 400, performance.Get(Get("?strategy=hodl"), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/scalping/toggle", "post", 200, scalping.Toggle(FunctionClassTests.Post("""{"enabled":false}"""), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/scalping/toggle", "post", 400, scalping.Toggle(FunctionClassTests.Post("{}"), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/scalping/kill", "post", 200, scalping.Kill(FunctionClassTests.Post(string.Empty), CancellationToken.None));
        var arbitrage = ActivatorUtilities.CreateInstance<ArbitrageFunctions>(app.Services);
        await ValidAsync(covered, "v1/ai/arbitrage/toggle", "post", 200, arbitrage.Toggle(FunctionClassTests.Post("""{"enabled":true}"""), CancellationToken.None));
        await ValidAsync(covered, "v1/ai/arbitrage/toggle", "post", 400, arbitrage.Toggle(FunctionClassTests.Post("{}"), CancellationToken.None));
        await arbitrage.Scan(new Microsoft.Azure.Functions.Worker.TimerInfo(), CancellationToken.None);
        await ValidAsync(covered, "v1/ai/arbitrage/status", "get", 200, arbitrage.Status(Get(), CancellationToken.None));
        await ValidAsync(covered, "health", "get", 200, health.Get(Get(), CancellationToken.None));
        await ValidAsync(covered, "openapi.json", "get", 200, Task.FromResult(new OpenApiFunctions().Get(Get())));
        var page = Assert.IsType<ContentResult>(new DashboardFunctions().Get(Get()));
        Assert.Equal(MediaTypeNames.Text.Html, page.ContentType!.Split(';')[0]);
        Assert.NotNull(Schema("dashboard", "get", 200, MediaTypeNames.Text.Html));
        covered.Add("get /dashboard");
        Valid("v1/ai/analyze", "post", 500, ApiResults.ServerError("trace-1"));

        await using var limited = TestApp.Create(azurite, buyAt, new Dictionary<string, string?> { ["RateLimits:PerMinute"] = "1", ["RateLimits:Burst"] = "1" });
        var limitedAi = ActivatorUtilities.CreateInstance<AiFunctions>(limited.Services);
        await limitedAi.Analyze(FunctionClassTests.Post("""{"symbol":"BTC/USDT"}"""), CancellationToken.None);
        await ValidAsync(covered, "v1/ai/analyze", "post", 429, limitedAi.Analyze(FunctionClassTests.Post("""{"symbol":"BTC/USDT"}"""), CancellationToken.None));

        // Every documented operation answered at least once above.
        var operations = _document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key} {p.Key}"));
        Assert.Equal(operations.Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));

        // The success examples are real answers: NT_WRITE_OPENAPI_EXAMPLES=1 stores these (then rebuild); every run checks
        // that each JSON success has one, that it validates, and that it has the shape (every member, nested) of today's answer.
        _successes.Remove("get /openapi.json");
        if (Environment.GetEnvironmentVariable("NT_WRITE_OPENAPI_EXAMPLES") == "1")
        {
            var stored = new JsonObject();
            foreach (var (key, body) in _successes.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                stored[key] = JsonNode.Parse(body.GetRawText());
            }

            await File.WriteAllTextAsync(Path.Combine(RepositoryRoot(), "src", "NeuraTrade.Functions", "OpenApi", "examples.json"), stored.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var check = new SchemaCheck(_document);
        foreach (var (key, body) in _successes)
        {
            var (method, route) = (key[..key.IndexOf(' ', StringComparison.Ordinal)], key[(key.IndexOf(' ', StringComparison.Ordinal) + 2)..]);
            var example = Operation(route, method)["responses"]!["200"]!["content"]![MediaTypeNames.Application.Json]!["example"];
            Assert.True(example is not null, $"{key} has no success example: run this test with NT_WRITE_OPENAPI_EXAMPLES=1 and rebuild");
            var stored = JsonDocument.Parse(example.ToJsonString()).RootElement;
            Assert.True(check.Validate(Schema(route, method, 200, MediaTypeNames.Application.Json), stored).Count == 0, $"{key}: its example does not validate");
            Assert.True(Shape(body).SequenceEqual(Shape(stored)), $"{key}: the example's members [{string.Join(", ", Shape(stored))}] are not today's answer's [{string.Join(", ", Shape(body))}]: run this test with NT_WRITE_OPENAPI_EXAMPLES=1 and rebuild");
        }
    }

    /// <summary>Every member path of a JSON value (an array by its first item), sorted: what an example must share with a real answer.</summary>
    private static IEnumerable<string> Shape(JsonElement value, string at = "$")
    {
        return value.ValueKind switch
        {
            JsonValueKind.Object => value.EnumerateObject().SelectMany(p => Shape(p.Value, $"{at}.{p.Name}").Prepend($"{at}.{p.Name}")).Order(StringComparer.Ordinal),
            JsonValueKind.Array when value.GetArrayLength() > 0 => Shape(value[0], $"{at}[]"),
            _ => [],
        };
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuraTrade.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (NeuraTrade.sln) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task Serve_answers_the_document_over_http_and_its_answers_validate()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite);

        using var response = await host.Http.GetAsync(new Uri("/api/openapi.json", UriKind.Relative));
        using var status = await host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative));
        using var bad = await host.Http.PostAsync(new Uri("/api/v1/ai/analyze", UriKind.Relative), new StringContent("[1,2]", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MediaTypeNames.Application.Json, response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.DeepEquals(_document, JsonNode.Parse(await response.Content.ReadAsStringAsync())));
        var check = new SchemaCheck(_document);
        Assert.Empty(check.Validate(Schema("v1/ai/scalping/status", "get", 200, MediaTypeNames.Application.Json), JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Empty(check.Validate(Schema("v1/ai/analyze", "post", 400, ApiResults.ProblemContentType), JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement));
    }

    private JsonNode Operation(string route, string method) =>
        _document["paths"]![$"/{route}"]?[method] ?? throw new Xunit.Sdk.XunitException($"{method} /{route} is not in the document");

    private JsonNode Schema(string route, string method, int status, string mediaType) =>
        Operation(route, method)["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)]?["content"]?[mediaType]?["schema"]
            ?? throw new Xunit.Sdk.XunitException($"{method} /{route} documents no {status} {mediaType}");

    private async Task<JsonElement> ValidAsync(HashSet<string> covered, string route, string method, int status, Task<IActionResult> call)
    {
        var result = Assert.IsType<ContentResult>(await call);
        covered.Add($"{method} /{route}");
        Assert.Equal(status, result.StatusCode ?? 200);
        var body = Valid(route, method, status, result);
        if (status == 200)
        {
            _successes.TryAdd($"{method} /{route}", body);
        }

        return body;
    }

    private JsonElement Valid(string route, string method, int status, ContentResult result)
    {
        var mediaType = result.ContentType!.Split(';')[0];
        var body = JsonDocument.Parse(result.Content!).RootElement.Clone();
        var errors = new SchemaCheck(_document).Validate(Schema(route, method, status, mediaType), body);
        Assert.True(errors.Count == 0, $"{method} /{route} {status}: {string.Join("; ", errors)}");
        return body;
    }

    private static HttpRequest Get(string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);
        return context.Request;
    }
}
