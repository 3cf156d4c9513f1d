using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Tools;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.Llm;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The arbitrage tools over two paper venues offset by a known amount (A quotes BTC/BUSD 16,999 / 17,000, B quotes BTC/USDT
/// 17,085 / 17,086, 10 BTC a level, each holding 0.01 BTC and 1,000 quote, 0.1% taker fees, buffer 0.01%, cap 100); every
/// figure below is worked by hand in the comments. Then the registry offers them to arbitrage only, and a model behind a
/// loopback OpenAI-protocol server that calls find_arbitrage gets those figures back.
/// </summary>
public sealed class ArbitrageToolTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly ArbitrageOptions Options_ = new() { Enabled = true, MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0.01m, MaxNotional = 100m, MinNotional = 5m };

    [Fact]
    public async Task Find_arbitrage_answers_every_pair_with_the_net_edge_amount_prices_profit_and_refusal()
    {
        var tools = Tools(Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m)));

        var result = await CallAsync(tools, "find_arbitrage", []);

        Assert.Equal(0.02m, result.GetProperty("min_net_edge_pct").GetDecimal());
        Assert.Equal("buy a, sell b", result.GetProperty("best_trade").GetString());
        var pairs = result.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(2, pairs.Count);
        var ab = pairs.Single(p => p.GetProperty("buy_venue").GetString() == "a");
        Assert.Equal(("BTC/BUSD", "b", "BTC/USDT"), (ab.GetProperty("buy_symbol").GetString(), ab.GetProperty("sell_venue").GetString(), ab.GetProperty("sell_symbol").GetString()));
        Assert.Equal((17_000m, 17_085m), (ab.GetProperty("best_ask").GetDecimal(), ab.GetProperty("best_bid").GetDecimal()));
        // Top of the books: (17,085 × 0.999 − 17,000 × 1.001) / 17,000 = 50.915 / 17,000 = 0.2995%, less the 0.01% buffer.
        Assert.Equal(0.2895m, ab.GetProperty("top_net_edge_pct").GetDecimal());
        // The cap binds: 100 / 17,000 = 0.0058823529… BTC, 0.00588235 to 8 decimals down (B holds 0.01 BTC, A 1,000 BUSD).
        Assert.Equal(0.00588235m, ab.GetProperty("amount").GetDecimal());
        Assert.Equal((17_000m, 17_085m), (ab.GetProperty("buy_price").GetDecimal(), ab.GetProperty("sell_price").GetDecimal()));
        // Sold 100.49994975 × 0.999 = 100.39944980025; paid 99.99995 × 1.001 = 100.09994995; profit 0.29949985025 → 0.29949985.
        Assert.Equal(0.29949985m, ab.GetProperty("expected_profit").GetDecimal());
        // 0.29949985 / 99.99995 = 0.29949999975%, less 0.01%: 0.28949999975 → 0.289499 (6 decimals, down).
        Assert.Equal(0.289499m, ab.GetProperty("net_edge_pct").GetDecimal());
        Assert.True(ab.GetProperty("tradable").GetBoolean());
        Assert.False(ab.TryGetProperty("refusal", out _)); // null is left out (M.E.AI's serializer)

        var ba = pairs.Single(p => p.GetProperty("buy_venue").GetString() == "b");
        // (16,999 × 0.999 − 17,086 × 1.001) / 17,086 = −121.085 / 17,086 = −0.70867962…%, less 0.01%: −0.718679 (down).
        Assert.Equal(-0.718679m, ba.GetProperty("top_net_edge_pct").GetDecimal());
        Assert.Equal(0m, ba.GetProperty("amount").GetDecimal());
        Assert.False(ba.GetProperty("tradable").GetBoolean());
        Assert.StartsWith("net edge -0.7187% is below Arbitrage:MinNetEdgePercent 0.02%", ba.GetProperty("refusal").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Find_arbitrage_scans_afresh_so_an_offset_the_fees_eat_shows_no_trade()
    {
        // B only 0.15% above A: 17,025.5 × 0.999 = 17,008.4745 < 17,017; −0.05015%, less the buffer −0.06015%.
        var tools = Tools(Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_025.5m, 17_026.5m)));

        var result = await CallAsync(tools, "find_arbitrage", []);

        Assert.False(result.TryGetProperty("best_trade", out _));
        var ab = result.GetProperty("pairs").EnumerateArray().Single(p => p.GetProperty("buy_venue").GetString() == "a");
        Assert.Equal(-0.06015m, ab.GetProperty("top_net_edge_pct").GetDecimal());
        Assert.All(result.GetProperty("pairs").EnumerateArray(), p => Assert.False(p.GetProperty("tradable").GetBoolean()));
    }

    [Fact]
    public async Task Get_venue_books_answers_the_top_levels_fee_and_rate_of_each_venue_within_its_bound()
    {
        var tools = Tools(Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m)));

        var books = await CallAsync(tools, "get_venue_books", new() { ["levels"] = 5 });
        var none = await CallAsync(tools, "get_venue_books", new() { ["levels"] = 0 });
        var tooMany = await CallAsync(tools, "get_venue_books", new() { ["levels"] = 21 });

        var venues = books.GetProperty("venues").EnumerateArray().ToList();
        Assert.Equal(["a", "b"], venues.Select(v => v.GetProperty("venue").GetString()));
        var b = venues[1];
        Assert.Equal("BTC/USDT", b.GetProperty("symbol").GetString());
        Assert.Equal((0.1m, 1m), (b.GetProperty("taker_fee_pct").GetDecimal(), b.GetProperty("quote_rate").GetDecimal()));
        // One level of 10 BTC a side on the fixed book.
        Assert.Equal([17_085m, 10m], b.GetProperty("bids")[0].EnumerateArray().Select(x => x.GetDecimal()));
        Assert.Equal([17_086m, 10m], Assert.Single(b.GetProperty("asks").EnumerateArray().ToList()).EnumerateArray().Select(x => x.GetDecimal()));
        Assert.Equal("levels must be 1 to 20", none.GetProperty("error").GetString());
        Assert.Equal("levels must be 1 to 20", tooMany.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Get_inventory_answers_each_venues_free_base_and_quote_and_their_value_after_a_trade()
    {
        var (a, b) = (PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m));
        var desk = Desk(a, b);
        var tools = Tools(desk);

        var before = await CallAsync(tools, "get_inventory", []);
        var trade = (await desk.ScanAsync(CancellationToken.None)).Scan.Trade!;
        await desk.ExecuteAsync("d-inv", trade, CancellationToken.None);
        var after = await CallAsync(tools, "get_inventory", []);

        var a0 = before.GetProperty("venues")[0];
        Assert.Equal(("a", "BTC", "BUSD"), (a0.GetProperty("venue").GetString(), a0.GetProperty("base_asset").GetString(), a0.GetProperty("quote_asset").GetString()));
        Assert.Equal((0.01m, 1_000m), (a0.GetProperty("base_free").GetDecimal(), a0.GetProperty("quote_free").GetDecimal()));
        // A's mid 16,999.5: 0.01 BTC is worth 169.995; with 1,000 BUSD at 1: 1,169.995. B's mid 17,085.5: 170.855 + 1,000.
        Assert.Equal((16_999.5m, 169.995m, 1_169.995m), (a0.GetProperty("mid").GetDecimal(), a0.GetProperty("base_value").GetDecimal(), a0.GetProperty("value").GetDecimal()));
        Assert.Equal(1_170.855m, before.GetProperty("venues")[1].GetProperty("value").GetDecimal());
        Assert.Equal((0.02m, 2_340.85m), (before.GetProperty("total_base").GetDecimal(), before.GetProperty("total_value").GetDecimal()));
        Assert.Equal(0.5m, a0.GetProperty("base_share").GetDecimal());

        // After buying 0.00588235 on A (1,000 − 99.99995 − fee 0.09999995 = 899.90005005) and selling it on B
        // (1,000 + 100.49994975 − fee 0.10049995 = 1,100.3994498).
        var a1 = after.GetProperty("venues")[0];
        var b1 = after.GetProperty("venues")[1];
        Assert.Equal((0.01588235m, 899.90005005m), (a1.GetProperty("base_free").GetDecimal(), a1.GetProperty("quote_free").GetDecimal()));
        Assert.Equal((0.00411765m, 1_100.3994498m), (b1.GetProperty("base_free").GetDecimal(), b1.GetProperty("quote_free").GetDecimal()));
        // 0.01588235 / 0.02 = 0.7941175 → 0.7941.
        Assert.Equal(0.7941m, a1.GetProperty("base_share").GetDecimal());
        Assert.Equal(0.02m, after.GetProperty("total_base").GetDecimal());
    }

    [Fact]
    public async Task A_venue_that_fails_to_answer_is_an_error_result_not_an_exception()
    {
        var down = new Mock<IExchange>(MockBehavior.Strict);
        down.Setup(e => e.FetchOrderBookAsync("BTC/USDT", It.IsAny<int?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, "venue b is down"));
        down.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Balances(new Dictionary<string, Balance>()));
        var tools = Tools(Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), new ArbitrageVenue("b", down.Object, "BTC/USDT", 0.1m, 0m, 1m)));

        foreach (var (name, args) in new[] { ("find_arbitrage", new Dictionary<string, object?>()), ("get_venue_books", new() { ["levels"] = 1 }), ("get_inventory", new()) })
        {
            var result = await CallAsync(tools, name, args);
            Assert.Equal("ExchangeNotAvailable: venue b is down", result.GetProperty("error").GetString());
        }
    }

    [Fact]
    public void The_registry_offers_the_arbitrage_tools_to_arbitrage_only_and_no_single_exchange_tool_to_arbitrage()
    {
        var registry = new ToolRegistry(executionToolsEnabled: true);
        foreach (var (name, kind) in new[] { ("get_market_data", TradingToolKind.MarketData), ("get_portfolio", TradingToolKind.Portfolio), ("place_order", TradingToolKind.Execution) })
        {
            registry.Register(new TradingTool(name, kind, AIFunctionFactory.Create(() => new { ok = true }, name)));
        }

        Tools(Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m)), registry);

        Assert.Equal(["find_arbitrage", "get_inventory", "get_venue_books"], registry.GetToolsForStrategy(TradingStrategy.Arbitrage, DecisionSource.Api).Select(t => t.Name));
        Assert.Equal(["find_arbitrage", "get_inventory", "get_venue_books"], registry.GetToolsForStrategy(TradingStrategy.Arbitrage, DecisionSource.Scan).Select(t => t.Name));
        Assert.Equal(["get_market_data", "get_portfolio", "place_order"], registry.GetToolsForStrategy(TradingStrategy.Scalping, DecisionSource.Api).Select(t => t.Name));
        Assert.Equal(["get_market_data"], registry.GetToolsForStrategy(TradingStrategy.Analysis, DecisionSource.Api).Select(t => t.Name));
    }

    [Fact]
    public void The_composition_adds_the_arbitrage_tools_when_a_desk_is_resolvable_and_none_otherwise()
    {
        var desk = Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m));
        using var withDesk = new ServiceCollection().AddSingleton(desk).BuildServiceProvider();
        using var without = new ServiceCollection().BuildServiceProvider();

        var added = LlmComposition.WithArbitrageTools(new ToolRegistry(false), withDesk);
        var none = LlmComposition.WithArbitrageTools(new ToolRegistry(false), without);

        Assert.Equal(["find_arbitrage", "get_inventory", "get_venue_books"], added.All.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(added.All, t => Assert.Equal(TradingToolKind.Arbitrage, t.Kind));
        Assert.Empty(none.All);
    }

    /// <summary>
    /// End to end over the OpenAI protocol: the model asks for find_arbitrage, the desk scans both paper venues, and the tool
    /// message the model receives holds the hand-computed numbers; the call is recorded in the decision's trace, and the
    /// arbitrage system prompt names the tools it is offered (and only those are offered).
    /// </summary>
    [Fact]
    public async Task A_model_that_calls_find_arbitrage_receives_the_hand_computed_edge_amount_and_profit()
    {
        await using var server = await FakeLlmServer.StartAsync();
        server.Reply(Replies.OpenAIToolCall("find_arbitrage", "{}"), Replies.OpenAIText(HoldJson("BTC/USDT")));
        var desk = Desk(PaperVenue("a", "BTC/BUSD", 16_999m, 17_000m), PaperVenue("b", "BTC/USDT", 17_085m, 17_086m));
        var options = new BrainOptions { Provider = LlmProviders.OpenAI, Model = "gpt-4o-mini", ApiKey = "test-key-123", Endpoint = new Uri(server.BaseAddress, "v1").ToString(), TimeoutSeconds = 5, MaxRetries = 0, RetryBaseDelayMs = 1 };
        var (vendor, endpoint) = ChatClientFactory.Create(options);
        var brain = new LlmBrain(LlmComposition.BuildPipeline(vendor, options, TimeProvider.System), Tools(desk), endpoint, new InMemoryLlmUsageLedger(), Options.Create(options), TimeProvider.System, NullLogger<LlmBrain>.Instance);
        var candles = TestMarket.Trend(60, 17_000m, 1m);
        var request = new BrainRequest(MarketSnapshot.Create(TestMarket.TickerAround(17_060m, 0.01m), candles), new PortfolioSnapshot("USDT", 1_000m, 0, false, 0m), TradingStrategy.Arbitrage)
        {
            Arbitrage = (await desk.ScanAsync(CancellationToken.None)).Scan,
        };

        var proposal = await brain.ProposeAsync(request, CancellationToken.None);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        var call = Assert.Single(proposal.Trace!.ToolCalls);
        Assert.Equal("find_arbitrage", call.Name);
        Assert.False(call.Failed);
        var first = server.Requests.First().Body!;
        Assert.Equal(["find_arbitrage", "get_inventory", "get_venue_books"], first["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()));
        var system = first["messages"]![0]!["content"]!.GetValue<string>();
        Assert.Contains("Tools offered: find_arbitrage, get_inventory, get_venue_books.", system, StringComparison.Ordinal);

        var messages = server.Requests.Last().Body!["messages"]!.AsArray();
        var toolMessage = messages.Single(m => m!["role"]!.GetValue<string>() == "tool")!;
        var text = toolMessage["content"] is JsonValue v ? v.GetValue<string>() : toolMessage["content"]![0]!["text"]!.GetValue<string>();
        var answer = JsonNode.Parse(text)!;
        var ab = answer["pairs"]!.AsArray().Single(p => p!["buy_venue"]!.GetValue<string>() == "a")!;
        Assert.Equal(0.00588235m, ab["amount"]!.GetValue<decimal>());
        Assert.Equal(0.289499m, ab["net_edge_pct"]!.GetValue<decimal>());
        Assert.Equal(0.2895m, ab["top_net_edge_pct"]!.GetValue<decimal>());
        Assert.Equal(0.29949985m, ab["expected_profit"]!.GetValue<decimal>());
        Assert.Equal(17_085m, ab["sell_price"]!.GetValue<decimal>());
    }

    private static string HoldJson(string symbol) => new JsonObject
    {
        ["symbol"] = symbol,
        ["action"] = "hold",
        ["side"] = null,
        ["size_percent"] = 0,
        ["entry_price"] = null,
        ["stop_loss"] = null,
        ["take_profit"] = null,
        ["order_type"] = "market",
        ["confidence"] = 0.7,
        ["setup_strength"] = null,
        ["reasoning"] = "The desk carries the arbitrage; nothing for a directional entry.",
        ["market_analysis"] = "n/a",
        ["risk_assessment"] = "n/a",
        ["invalidation"] = "n/a",
    }.ToJsonString();

    private static ToolRegistry Tools(ArbitrageDesk desk, ToolRegistry? registry = null) =>
        new ArbitrageToolbox(desk).Register(registry ?? new ToolRegistry(false));

    private static async Task<JsonElement> CallAsync(ToolRegistry tools, string name, Dictionary<string, object?> args)
    {
        var result = await tools.Get(name)!.Function.InvokeAsync(new AIFunctionArguments(args), CancellationToken.None);
        return result is JsonElement e ? e : JsonSerializer.SerializeToElement(result);
    }

    private static ArbitrageDesk Desk(ArbitrageVenue a, ArbitrageVenue b) => new([a, b], Options_, NullLogger<ArbitrageDesk>.Instance);

    /// <summary>A paper venue quoting <paramref name="symbol"/> at a fixed bid and ask, 10 BTC deep, holding 0.01 BTC and 1,000 quote; fees 0.1% in quote.</summary>
    private static ArbitrageVenue PaperVenue(string name, string symbol, decimal bid, decimal ask) => FixedBookVenue.Create(name, symbol, bid, ask, T0);
}
