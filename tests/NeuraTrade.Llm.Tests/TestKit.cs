using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Tools;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Llm.Tests;

/// <summary>A ledger in memory: these tests are about the LLM protocols, not storage (tested on Azurite elsewhere).</summary>
public sealed class MemoryLedger : ILlmUsageLedger
{
    public List<LlmUsageRecord> Records { get; } = [];

    public Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
    {
        lock (Records)
        {
            Records.Add(record);
        }

        return Task.CompletedTask;
    }

    public Task RecordManyAsync(IReadOnlyList<LlmUsageRecord> records, CancellationToken cancellationToken)
    {
        lock (Records)
        {
            Records.AddRange(records);
        }

        return Task.CompletedTask;
    }

    public Task<LlmDailyUsage> GetDailyUsageAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (Records)
        {
            var today = Records.Where(r => DateOnly.FromDateTime(r.At.UtcDateTime) == day).ToList();
            return Task.FromResult(new LlmDailyUsage(day, today.Count, today.Sum(r => r.InputTokens), today.Sum(r => r.OutputTokens), today.Sum(r => r.CostUsd ?? 0m)));
        }
    }
}

public static class TestKit
{
    public static readonly string[] Providers = [LlmProviders.OpenAI, LlmProviders.AzureOpenAI, LlmProviders.Anthropic, LlmProviders.OpenAICompatible];

    private static readonly Lazy<IReadOnlyList<Candle>> Candles = new(() => CandleCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", "candles", "BTC_USDT-5m.csv")));

    /// <summary>A real BTC/USDT moment: 60 closed candles and a ticker around the last close.</summary>
    public static MarketSnapshot Market(int end = 5_000)
    {
        var candles = Candles.Value.Skip(end - 60).Take(60).ToArray();
        var last = candles[^1].Close;
        var ticker = new Ticker("BTC/USDT", candles[^1].OpenTime.AddMinutes(5), last - 1m, last + 1m, last, candles[^1].High, candles[^1].Low, candles[^1].Volume);
        return MarketSnapshot.Create(ticker, candles);
    }

    public static BrainRequest Request(MarketSnapshot? market = null) =>
        new(market ?? Market(), new PortfolioSnapshot("USDT", 10_000m, 0, false, 0m), TradingStrategy.Scalping);

    public static BrainOptions Options(string provider, FakeLlmServer server) => new()
    {
        Provider = provider,
        Model = provider == LlmProviders.Anthropic ? "claude-3-5-haiku-latest" : "gpt-4o-mini",
        ApiKey = "test-key-123",
        Endpoint = provider switch
        {
            LlmProviders.OpenAI or LlmProviders.OpenAICompatible => new Uri(server.BaseAddress, "v1").ToString(),
            _ => server.BaseAddress.ToString(),
        },
        TimeoutSeconds = 5,
        MaxRetries = 2,
        RetryBaseDelayMs = 1,
    };

    public static LlmBrain Brain(BrainOptions options, ILlmUsageLedger ledger, ToolRegistry? tools = null, TimeProvider? time = null, ILogger<LlmBrain>? logger = null)
    {
        var (vendor, endpoint) = ChatClientFactory.Create(options);
        var chat = LlmComposition.BuildPipeline(vendor, options, time ?? TimeProvider.System);
        return new LlmBrain(chat, tools ?? new ToolRegistry(false), endpoint, ledger, Microsoft.Extensions.Options.Options.Create(options), time ?? TimeProvider.System, logger ?? NullLogger<LlmBrain>.Instance);
    }

    /// <summary>A registry with one market-data tool that answers an object (checked to arrive as JSON, not an escaped string).</summary>
    public static ToolRegistry MarketTool(Action<string>? called = null)
    {
        var registry = new ToolRegistry(false);
        registry.Register(new TradingTool("get_market_data", TradingToolKind.MarketData, AIFunctionFactory.Create(
            (string symbol) =>
            {
                called?.Invoke(symbol);
                return new { symbol, last = 22000.5m, spread_pct = 0.01m };
            },
            "get_market_data",
            "Ticker for a symbol.")));
        return registry;
    }

    /// <summary>A valid long for the market: entry at the ask, stop 0.5% below, target 1% above.</summary>
    public static string ValidBuyJson(MarketSnapshot market, decimal confidence = 0.8m)
    {
        var ask = market.Ticker.Ask;
        return new JsonObject
        {
            ["symbol"] = market.Symbol,
            ["action"] = "buy",
            ["side"] = "buy",
            ["size_percent"] = 10,
            ["entry_price"] = ask,
            ["stop_loss"] = Math.Round(ask * 0.995m, 2),
            ["take_profit"] = Math.Round(ask * 1.01m, 2),
            ["order_type"] = "market",
            ["confidence"] = confidence,
            ["reasoning"] = "EMA9 above EMA21 with rising momentum.",
            ["market_analysis"] = "uptrend",
            ["risk_assessment"] = "stop 0.5% below",
            ["invalidation"] = "close below EMA21",
        }.ToJsonString();
    }

    public static string F(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
