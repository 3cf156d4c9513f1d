using System.ClientModel;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;
using OpenAI;
using OpenAI.Chat;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// <c>neuratrade bench scan-overhead</c>: what the scalper itself costs. One scan over N symbols (market reads, exits,
/// risk pre-filter, decision, validation, gate, journaling, scan claim) with a brain that answers in 0 ms, on the paper
/// exchange over a synthetic market with in-memory storage, so only our code is timed; beside it, one chat completion
/// through the OpenAI SDK to a Kestrel server on 127.0.0.1 that answers at once (the floor of any LLM call).
/// </summary>
internal sealed class ScanOverheadBenchmark : IBenchmark
{
    private static readonly int[] SymbolCounts = [1, 10, 50];

    public string Name => "scan-overhead";

    public string Description => "Cost of one scan per symbol with a 0 ms brain on the paper exchange, beside one loopback LLM call.";

    public async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var llm = await MeasureLoopbackLlmAsync(settings.Repeats, cancellationToken);
        var rows = new List<(int Symbols, double ScanMs, double PerSymbolMs)>();
        foreach (var n in SymbolCounts)
        {
            var scanMs = await MeasureScanAsync(n, settings.Repeats, cancellationToken);
            rows.Add((n, scanMs, scanMs / n));
        }

        if (settings.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                loopback_llm_call_ms = llm,
                scans = rows.Select(r => new { symbols = r.Symbols, scan_ms = r.ScanMs, per_symbol_ms = r.PerSymbolMs, per_symbol_over_llm_call = r.PerSymbolMs / llm }),
            }));
            return 0;
        }

        Console.WriteLine($"scan-overhead (median of {settings.Repeats}, after one warm-up; ratios are the figures to compare)");
        Console.WriteLine($"  one loopback LLM call (OpenAI SDK -> Kestrel 127.0.0.1): {llm:0.000} ms = 1.00");
        foreach (var r in rows)
        {
            Console.WriteLine($"  scan of {r.Symbols,3} symbols: {r.ScanMs,9:0.000} ms = {r.ScanMs / llm,6:0.00} x LLM call; per symbol {r.PerSymbolMs:0.000} ms = {r.PerSymbolMs / llm:0.00} x LLM call");
        }

        return 0;
    }

    private static async Task<double> MeasureScanAsync(int symbols, int repeats, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var names = Enumerable.Range(0, symbols).Select(i => $"C{i}/USDT").ToArray();
        var options = Options.Create(new ScalpingOptions { Symbols = names, MaxPositions = 100 });
        var brainOptions = Options.Create(new BrainOptions());
        var paper = Options.Create(new PaperExchangeOptions());
        // The backtest's in-memory stores: what is timed is our code, not storage.
        var positions = new InMemoryPositionStore();
        var state = new InMemoryScalpingStateStore(ScalpingState.Initial(true, time.GetUtcNow()));
        var journal = new InMemoryDecisionStore();
        var claims = new InMemoryScanClaimStore();
        using var exchange = new PaperExchange(new SyntheticFeed(names, time), new InMemoryPaperAccountStore(), paper, time, NullLogger<PaperExchange>.Instance);
        var gate = new RiskGate(options);
        using var desk = new TradeDesk(exchange, gate, journal, positions, state, claims, options, time, NullLogger<TradeDesk>.Instance, new InMemoryEntryAdmission(positions), new AccountValuation(exchange, "USDT"));
        var entries = new EntryPipeline(exchange, new DecisionValidator(brainOptions), new EntryReview(null), desk, new PortfolioReader(exchange, positions, state, time), journal, brainOptions, NullLogger<EntryPipeline>.Instance);
        var maker = new DecisionMaker(new InstantBrain(), entries, journal, brainOptions, time, NullLogger<DecisionMaker>.Instance);
        // The books check as live: at most once per (default) scan interval, so most timed scans reuse the last one.
        using var books = new LiveBooks(exchange, positions, new InMemoryAccountBaselineStore(), options, time, NullLogger<LiveBooks>.Instance, TimeSpan.FromSeconds(10));
        var engine = new ScalpingEngine(exchange, maker, desk, entries, gate, positions, state, claims, books, options, brainOptions, time, NullLogger<ScalpingEngine>.Instance);

        await engine.RunScanAsync(cancellationToken);
        var samples = new List<double>(repeats);
        for (var i = 0; i < repeats; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await engine.RunScanAsync(cancellationToken);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return Median(samples);
    }

    private static async Task<double> MeasureLoopbackLlmAsync(int repeats, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var server = builder.Build();
        server.MapPost("/v1/chat/completions", () => Results.Text(CannedCompletion, "application/json"));
        await server.StartAsync(cancellationToken);
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new OpenAIClient(new ApiKeyCredential("bench"), new OpenAIClientOptions { Endpoint = new Uri($"{address}/v1") }).GetChatClient("bench-model");

        await client.CompleteChatAsync([new UserChatMessage("BTC/USDT: buy, sell or hold?")], cancellationToken: cancellationToken);
        var samples = new List<double>(repeats);
        for (var i = 0; i < Math.Max(repeats, 5); i++)
        {
            var started = Stopwatch.GetTimestamp();
            await client.CompleteChatAsync([new UserChatMessage("BTC/USDT: buy, sell or hold?")], cancellationToken: cancellationToken);
            samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        await server.StopAsync(cancellationToken);
        return Median(samples);
    }

    private static double Median(List<double> samples)
    {
        samples.Sort();
        return samples[samples.Count / 2];
    }

    private const string CannedCompletion = """
        {"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model",
         "choices":[{"index":0,"message":{"role":"assistant","content":"{\"action\":\"HOLD\",\"confidence\":0.5}"},"finish_reason":"stop"}],
         "usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}
        """;

    /// <summary>A brain that answers HOLD at once: the scan's own cost, without any model's.</summary>
    private sealed class InstantBrain : ITradingBrain
    {
        public string Model => "instant";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(TradeProposal.Hold("benchmark", "benchmark", Model));

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>N synthetic markets with a gently moving price, 5m candles and a deep book.</summary>
    private sealed class SyntheticFeed(string[] symbols, TimeProvider time) : IMarketDataFeed
    {
        public string Name => "synthetic";

        public IReadOnlyCollection<string> Symbols => symbols;

        public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, MarketInfo>>(symbols.ToDictionary(s => s, s => new MarketInfo(s, s, MarketSymbol.Base(s), "USDT", true, 0.00000001m, 0.01m, null, null, 5m)));

        public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken)
        {
            var mid = Mid(time.GetUtcNow());
            return Task.FromResult(new Ticker(symbol, time.GetUtcNow(), mid - 0.01m, mid + 0.01m, mid, mid * 1.01m, mid * 0.99m, 1_000m));
        }

        public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken)
        {
            var mid = Mid(time.GetUtcNow());
            return Task.FromResult(new OrderBook(symbol, [new OrderBookLevel(mid - 0.01m, 1_000m)], [new OrderBookLevel(mid + 0.01m, 1_000m)], time.GetUtcNow(), null));
        }

        public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            var count = limit ?? 100;
            var start = now.AddMinutes(-5 * count);
            return Task.FromResult<IReadOnlyList<Candle>>(Enumerable.Range(0, count).Select(i =>
            {
                var t = start.AddMinutes(5 * i);
                var open = Mid(t);
                var close = Mid(t.AddMinutes(5));
                return new Candle(t, open, Math.Max(open, close) + 0.5m, Math.Min(open, close) - 0.5m, close, 10m);
            }).ToList());
        }

        public Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
        {
            var mid = Mid(time.GetUtcNow());
            return Task.FromResult((mid, mid));
        }

        private static decimal Mid(DateTimeOffset t) => 100m + (decimal)Math.Round(Math.Sin(t.ToUnixTimeSeconds() / 3_000.0) * 2.0, 2);
    }
}
