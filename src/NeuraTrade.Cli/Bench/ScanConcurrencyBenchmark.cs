using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Composition;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// A scan of 10 symbols against a loopback OpenAI-compatible server that answers after 300 ms, then 0 ms:
/// scan wall time over one call's time. The LLM calls of a scan run concurrently, so the first ratio should
/// be close to 1 (target ≤ 1.25); the 0 ms ratio shows the engine's own overhead per scan.
/// </summary>
internal sealed class ScanConcurrencyBenchmark : IBenchmark
{
    private const int SymbolCount = 10;
    private static readonly int[] DelaysMs = [300, 0];

    public string Name => "scan-concurrency";

    public string Description => "Scan wall time over one LLM call's time, 10 symbols, loopback LLM at 300 ms and 0 ms.";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var delay = new System.Runtime.CompilerServices.StrongBox<int>(0);
        await using var llm = await StartLlmAsync(delay, cancellationToken);
        var port = Azurite.FreePort();
        await using var azurite = await Azurite.EnsureAsync(port, location: null, Console.WriteLine, cancellationToken);
        using var host = Build(Azurite.ConnectionString(port), llm.Endpoint);
        var exchange = host.Services.GetRequiredService<IExchange>();
        var symbols = exchange.Markets.Order(StringComparer.Ordinal).Take(SymbolCount).ToArray();
        var engine = host.Services.GetRequiredService<ScalpingEngine>();
        var maker = host.Services.GetRequiredService<DecisionMaker>();
        var portfolio = new PortfolioSnapshot("USDT", 10_000m, 0, false, 0m);
        var results = new List<object>();

        foreach (var ms in DelaysMs)
        {
            delay.Value = ms;
            var market = await maker.ReadMarketAsync(symbols[0], cancellationToken);
            await maker.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Api, cancellationToken);
            await engine.RunScanAsync(cancellationToken);

            var single = await MedianAsync(settings.Repeats, () => maker.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Api, cancellationToken));
            var calls = llm.Calls;
            var scan = await MedianAsync(settings.Repeats, () => engine.RunScanAsync(cancellationToken));
            var perScan = (llm.Calls - calls) / (double)settings.Repeats;
            var ratio = scan.TotalMilliseconds / single.TotalMilliseconds;
            results.Add(new { llm_delay_ms = ms, symbols = symbols.Length, llm_calls_per_scan = perScan, scan_ms = Math.Round(scan.TotalMilliseconds, 1), one_call_ms = Math.Round(single.TotalMilliseconds, 1), ratio = Math.Round(ratio, 2) });
            if (!settings.Json)
            {
                Console.WriteLine($"LLM {ms,3} ms: scan of {symbols.Length} symbols ({perScan:0} LLM calls) {scan.TotalMilliseconds,8:0.0} ms / one decision {single.TotalMilliseconds,7:0.0} ms = {ratio:0.00}{(ms > 0 ? " (target <= 1.25)" : " (engine overhead)")}");
            }
        }

        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(results));
        }

        return 0;
    }

    private static IHost Build(string storage, string llmEndpoint)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = storage,
            ["Storage:TablePrefix"] = "bench" + Guid.NewGuid().ToString("N")[..8],
            ["AI:Provider"] = "openai",
            ["AI:Model"] = "gpt-4o-mini",
            ["AI:ApiKey"] = "bench",
            ["AI:Endpoint"] = llmEndpoint,
            ["AI:MaxConcurrency"] = SymbolCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["AI:DailyBudgetUsd"] = "0",
            ["Scalping:MaxPositions"] = "100",
            ["Scalping:MaxSpreadPercent"] = "100",
            ["Scalping:Symbols"] = string.Join(',', Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "data", "candles"), "*.csv")
                .Select(f => Path.GetFileNameWithoutExtension(f).Split('-')[0].Replace('_', '/')).Order(StringComparer.Ordinal).Take(SymbolCount)),
        });
        builder.Logging.ClearProviders();
        builder.AddNeuraTrade();
        return builder.Build();
    }

    private static async Task<TimeSpan> MedianAsync<T>(int repeats, Func<Task<T>> work)
    {
        var times = new List<TimeSpan>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await work();
            times.Add(Stopwatch.GetElapsedTime(started));
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private static async Task<LoopbackLlm> StartLlmAsync(System.Runtime.CompilerServices.StrongBox<int> delay, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackLlm(app);
        app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
        {
            Interlocked.Increment(ref server.CallCount);
            var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync(ctx.RequestAborted))!;
            var symbol = JsonNode.Parse(body["messages"]![1]!["content"]!.GetValue<string>())!["symbol"]!.GetValue<string>();
            if (delay.Value > 0)
            {
                await Task.Delay(delay.Value, ctx.RequestAborted);
            }

            var answer = new JsonObject
            {
                ["symbol"] = symbol, ["action"] = "hold", ["side"] = null, ["size_percent"] = 0, ["entry_price"] = null, ["stop_loss"] = null,
                ["take_profit"] = null, ["order_type"] = "market", ["confidence"] = 0.3, ["reasoning"] = "bench", ["market_analysis"] = "bench",
                ["risk_assessment"] = "bench", ["invalidation"] = "bench",
            };
            return Results.Json(new JsonObject
            {
                ["id"] = "chatcmpl-bench", ["object"] = "chat.completion", ["created"] = 1_700_000_000, ["model"] = "gpt-4o-mini",
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer.ToJsonString() }, ["finish_reason"] = "stop" }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 700, ["completion_tokens"] = 80, ["total_tokens"] = 780 },
            });
        });
        await app.StartAsync(cancellationToken);
        server.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/v1";
        return server;
    }

    private sealed class LoopbackLlm(WebApplication app) : IAsyncDisposable
    {
        public int CallCount;

        public string Endpoint { get; set; } = string.Empty;

        public int Calls => Volatile.Read(ref CallCount);

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
