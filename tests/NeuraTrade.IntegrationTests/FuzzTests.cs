using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Hundreds of malformed requests (<see cref="FuzzCases"/>) to every HTTP function that takes input, through the function
/// classes and through <c>serve</c> over real HTTP: no 5xx, each a 400 problem document whose <c>errors</c> name a field
/// the request got wrong (functions without input ignore it: 200), and nothing stored changes (journal, positions, toggle,
/// trades). <c>ScalpingKill</c> takes no input at all: any request to it is a valid kill, so it is not fuzzed. Over HTTP, a
/// NUL in a route id is refused by Kestrel itself (a bare 400, before the app).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FuzzTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_cases_number_at_least_500_and_reach_every_function_with_input()
    {
        var cases = FuzzCases.All();

        Assert.True(cases.Count >= 500, $"{cases.Count} cases");
        var reached = cases.Select(c => c.Function).ToHashSet(StringComparer.Ordinal);
        var expected = FunctionSafetyTests.HttpTriggers().Select(t => t.Function.Name).Where(n => n != "ScalpingKill");
        Assert.All(expected, name => Assert.Contains(name, reached));
    }

    [Fact]
    public async Task Through_the_function_classes_every_malformed_request_is_a_400_naming_a_field_and_changes_nothing()
    {
        await using var app = TestApp.Create(azurite, Start);
        var ai = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        var journal = ActivatorUtilities.CreateInstance<DecisionFunctions>(app.Services);
        var trades = ActivatorUtilities.CreateInstance<TradeFunctions>(app.Services);
        var performance = ActivatorUtilities.CreateInstance<PerformanceFunctions>(app.Services);
        var scalping = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);
        var arbitrage = ActivatorUtilities.CreateInstance<ArbitrageFunctions>(app.Services);
        var health = ActivatorUtilities.CreateInstance<HealthFunctions>(app.Services);
        var openApi = new OpenApiFunctions();
        var before = await SnapshotAsync(app.Services);

        var failures = new List<string>();
        foreach (var fuzz in FuzzCases.All())
        {
            var request = Request(fuzz);
            var result = Assert.IsType<ContentResult>(fuzz.Function switch
            {
                "AiAnalyze" => await ai.Analyze(request, CancellationToken.None),
                "AiDecision" => await ai.Decision(request, CancellationToken.None),
                "ScalpingToggle" => await scalping.Toggle(request, CancellationToken.None),
                "ScalpingClosePosition" => await scalping.ClosePosition(request, fuzz.Id!, CancellationToken.None),
                "AiDecisions" => await journal.List(request, CancellationToken.None),
                "AiDecisionById" => await journal.Get(request, fuzz.Id!, CancellationToken.None),
                "AiTrades" => await trades.List(request, CancellationToken.None),
                "AiPerformance" => await performance.Get(request, CancellationToken.None),
                "ScalpingStatus" => await scalping.Status(request, CancellationToken.None),
                "ArbitrageToggle" => await arbitrage.Toggle(request, CancellationToken.None),
                "ArbitrageStatus" => await arbitrage.Status(request, CancellationToken.None),
                "Health" => await health.Get(request, CancellationToken.None),
                "OpenApi" => openApi.Get(request),
                "Dashboard" => new DashboardFunctions().Get(request),
                var other => throw new InvalidOperationException($"no call for {other}"),
            });
            Judge(fuzz, result.StatusCode ?? 200, result.ContentType, result.Content ?? string.Empty, failures);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(30)));
        Assert.Equal(before, await SnapshotAsync(app.Services));
    }

    [Fact]
    public async Task Through_serve_over_http_every_malformed_request_is_a_400_naming_a_field_and_changes_nothing()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["ScalpingScanSchedule"] = "0 0 0 1 1 *" });
        var before = await SnapshotAsync(host.App.Services);

        var failures = new List<string>();
        foreach (var fuzz in FuzzCases.All())
        {
            using var request = new HttpRequestMessage(Method(fuzz.Function), new Uri(Path(fuzz), UriKind.Relative));
            if (fuzz.Body is { } body)
            {
                HttpContent content = fuzz.Chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (fuzz.Chunked)
                {
                    request.Headers.TransferEncodingChunked = true;
                }

                request.Content = content;
            }

            using var response = await host.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            // Kestrel itself refuses a NUL in the request target with a bare 400, before any app code runs.
            if (fuzz.Id?.Contains('\0', StringComparison.Ordinal) == true && (int)response.StatusCode == 400 && text.Length == 0)
            {
                continue;
            }

            Judge(fuzz, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), text, failures);
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(30)));
        Assert.Equal(before, await SnapshotAsync(host.App.Services));
    }

    [Fact]
    public async Task An_endless_chunked_body_is_refused_once_it_passes_the_limit_not_read_to_its_end()
    {
        await using var app = TestApp.Create(azurite, Start);
        var ai = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        var endless = new EndlessBody();
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = endless;

        var result = Assert.IsType<ContentResult>(await ai.Decision(context.Request, CancellationToken.None));

        Assert.Equal(400, result.StatusCode);
        Assert.True(JsonDocument.Parse(result.Content!).RootElement.GetProperty("errors").TryGetProperty("body", out _));
        Assert.InRange(endless.Served, RequestReader.MaxBodyBytes + 1, RequestReader.MaxBodyBytes + (16 * 1024));
    }

    /// <summary>A request body that never ends (a chunked upload that keeps going), counting what was read of it.</summary>
    private sealed class EndlessBody : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)' ');
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A 400 problem naming one of the case's fields; 200 where the function takes no input; never anything else.</summary>
    private static void Judge(FuzzCase fuzz, int status, string? contentType, string body, List<string> failures)
    {
        if (fuzz.Fields.Length == 0)
        {
            if (status != 200)
            {
                failures.Add($"{fuzz}: {status}, not 200 (no input to refuse)");
            }

            return;
        }

        if (status != 400 || contentType?.StartsWith(ApiResults.ProblemContentType, StringComparison.Ordinal) != true)
        {
            failures.Add($"{fuzz}: {status} {contentType}: {Clip(body)}");
            return;
        }

        var problem = JsonDocument.Parse(body).RootElement;
        var named = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().Select(e => e.Name).ToList()
            : [];
        if (problem.GetProperty("status").GetInt32() != 400 || named.Count == 0 || !named.All(n => fuzz.Fields.Contains(n, StringComparer.OrdinalIgnoreCase)))
        {
            failures.Add($"{fuzz}: names [{string.Join(", ", named)}], expected one of [{string.Join(", ", fuzz.Fields)}]: {Clip(body)}");
        }
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300];

    /// <summary>What a malformed request must not change: decisions journaled, positions open and closed, the toggle.</summary>
    private static async Task<string> SnapshotAsync(IServiceProvider services)
    {
        var decisions = 0;
        foreach (var symbol in new[] { "BTC/USDT", "ETH/USDT", "SOL/USDT", "ETH/BTC" })
        {
            decisions += (await services.GetRequiredService<IDecisionStore>().GetLatestAsync(symbol, 1_000, CancellationToken.None)).Count;
        }

        var open = (await services.GetRequiredService<IPositionStore>().GetOpenAsync(CancellationToken.None)).Count;
        var state = await services.GetRequiredService<IScalpingStateStore>().GetAsync(CancellationToken.None);
        return $"decisions {decisions}, open {open}, active {state.Active}, trades {state.TradesToday}, realized {state.TotalRealizedPnl}";
    }

    private static HttpMethod Method(string function) =>
        function is "AiAnalyze" or "AiDecision" or "ScalpingToggle" or "ArbitrageToggle" or "ScalpingClosePosition" ? HttpMethod.Post : HttpMethod.Get;

    private static string Path(FuzzCase fuzz)
    {
        var id = Uri.EscapeDataString(fuzz.Id ?? string.Empty);
        var route = fuzz.Function switch
        {
            "AiAnalyze" => "v1/ai/analyze",
            "AiDecision" => "v1/ai/decision",
            "ScalpingToggle" => "v1/ai/scalping/toggle",
            "ScalpingClosePosition" => $"v1/ai/scalping/positions/{id}/close",
            "AiDecisions" => "v1/ai/decisions",
            "AiDecisionById" => $"v1/ai/decisions/{id}",
            "AiTrades" => "v1/ai/trades",
            "AiPerformance" => "v1/ai/performance",
            "ScalpingStatus" => "v1/ai/scalping/status",
            "ArbitrageToggle" => "v1/ai/arbitrage/toggle",
            "ArbitrageStatus" => "v1/ai/arbitrage/status",
            "Health" => "health",
            "OpenApi" => "openapi.json",
            "Dashboard" => "dashboard",
            var other => throw new InvalidOperationException($"no route for {other}"),
        };
        return $"/api/{route}{fuzz.Query}";
    }

    /// <summary>The request as the worker hands it to a function: body, content type and the raw query string.</summary>
    private static HttpRequest Request(FuzzCase fuzz)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = Method(fuzz.Function).Method;
        context.Request.QueryString = new QueryString(fuzz.Query.Length == 0 ? null : fuzz.Query);
        if (fuzz.Body is { } body)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = fuzz.Chunked ? null : body.Length;
        }

        return context.Request;
    }
}
