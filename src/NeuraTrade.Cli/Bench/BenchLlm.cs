using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// A loopback OpenAI-compatible chat server for the benches: it answers every decision prompt after a set delay, with a
/// HOLD, or (for the symbols <see cref="Buys"/> names) a BUY of 10% at the prompt's ask, stop 0.5% below, target 1% above.
/// </summary>
internal sealed partial class BenchLlm : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private BenchLlm(WebApplication app)
    {
        _app = app;
    }

    public string Endpoint { get; private set; } = string.Empty;

    /// <summary>How long the server waits before it answers, in milliseconds.</summary>
    public int DelayMs { get; set; }

    /// <summary>Which symbols it buys (the others it holds).</summary>
    public Func<string, bool> Buys { get; set; } = _ => false;

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<BenchLlm> StartAsync(int delayMs, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new BenchLlm(app) { DelayMs = delayMs };
        app.MapPost("/v1/chat/completions", (Func<HttpContext, Task<IResult>>)server.AnswerAsync);
        await app.StartAsync(cancellationToken);
        server.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/v1";
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> AnswerAsync(HttpContext ctx)
    {
        Interlocked.Increment(ref _calls);
        var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync(ctx.RequestAborted))!;
        // The user message is the market as JSON (the system message before it may show example fields).
        var prompt = body["messages"]![1]!["content"]!.GetValue<string>();
        var symbol = JsonNode.Parse(prompt)!["symbol"]!.GetValue<string>();
        if (DelayMs > 0)
        {
            await Task.Delay(DelayMs, ctx.RequestAborted);
        }

        var answer = Buys(symbol) && AskIn().Match(prompt) is { Success: true } ask
            ? Buy(symbol, decimal.Parse(ask.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture))
            : Hold(symbol);
        return Results.Json(new JsonObject
        {
            ["id"] = "chatcmpl-bench", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer.ToJsonString() }, ["finish_reason"] = "stop" }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 700, ["completion_tokens"] = 80, ["total_tokens"] = 780 },
        });
    }

    private static JsonObject Hold(string symbol) => new()
    {
        ["symbol"] = symbol, ["action"] = "hold", ["side"] = null, ["size_percent"] = 0, ["entry_price"] = null, ["stop_loss"] = null,
        ["take_profit"] = null, ["order_type"] = "market", ["confidence"] = 0.3, ["reasoning"] = "bench", ["market_analysis"] = "bench",
        ["risk_assessment"] = "bench", ["invalidation"] = "bench",
    };

    private static JsonObject Buy(string symbol, decimal ask) => new()
    {
        ["symbol"] = symbol, ["action"] = "buy", ["side"] = "buy", ["size_percent"] = 10, ["entry_price"] = ask,
        ["stop_loss"] = Math.Round(ask * 0.995m, 8), ["take_profit"] = Math.Round(ask * 1.01m, 8), ["order_type"] = "market",
        ["confidence"] = 0.9, ["reasoning"] = "bench: buy", ["market_analysis"] = "bench", ["risk_assessment"] = "bench", ["invalidation"] = "bench",
    };

    [GeneratedRegex("\"ask\"\\s*:\\s*([0-9.Ee+-]+)")]
    private static partial Regex AskIn();
}
