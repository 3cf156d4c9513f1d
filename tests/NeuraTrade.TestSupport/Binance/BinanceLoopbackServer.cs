using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NeuraTrade.TestSupport;

/// <summary>One request as the loopback server received it.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The signed payload: the query for GET/DELETE, the form body for POST.</summary>
    public string Payload => Method == "POST" ? Body : Query.TrimStart('?');

    public IReadOnlyList<KeyValuePair<string, string>> Parameters => ExchangeFixtures.ParseQuery(Payload);
}

/// <summary>A canned answer: status, JSON body, extra headers.</summary>
public sealed record CannedResponse(int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A Binance stand-in on 127.0.0.1 (Kestrel): answers each (method, path) with canned JSON, by default the real
/// payloads from ccxt's fixtures, and records every request so tests can check path, query, signature and headers.
/// </summary>
public sealed class BinanceLoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<(string Method, string Path), Func<RecordedRequest, CannedResponse>> _routes = new();

    private BinanceLoopbackServer(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Binance's clock as the server reports it on /api/v3/time.</summary>
    public Func<DateTimeOffset> ServerTime { get; set; } = () => TimeProvider.System.GetUtcNow();

    public static async Task<BinanceLoopbackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new BinanceLoopbackServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        server.Respond("GET", "/api/v3/time", _ => new CannedResponse(200, JsonSerializer.Serialize(new { serverTime = server.ServerTime().ToUnixTimeMilliseconds() })));
        server.Respond("GET", "/api/v3/exchangeInfo", ExchangeFixtures.ExchangeInfo);
        foreach (var (method, path, body) in ExchangeFixtures.DefaultPayloads())
        {
            server.Respond(method, path, body);
        }

        return server;
    }

    public void Respond(string method, string path, string json, int status = 200, IReadOnlyDictionary<string, string>? headers = null) =>
        _routes[(method, path)] = _ => new CannedResponse(status, json, headers);

    public void Respond(string method, string path, Func<RecordedRequest, CannedResponse> answer) => _routes[(method, path)] = answer;

    public IReadOnlyList<RecordedRequest> To(string method, string path) => Requests.Where(r => r.Method == method && r.Path == path).ToList();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var recorded = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Request.QueryString.Value ?? string.Empty,
            body,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        Requests.Enqueue(recorded);
        if (!_routes.TryGetValue((recorded.Method, recorded.Path), out var answer))
        {
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("{\"code\":-1,\"msg\":\"no canned answer\"}");
            return;
        }

        var response = answer(recorded);
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body);
    }
}
