using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Llm.Tests;

/// <summary>
/// What <c>confidence</c> and <c>setup_strength</c> mean in the contract with the model: the model is told (system
/// prompt and JSON schema), its answer is read strictly, and a hold's confidence never trips the entry floors.
/// </summary>
public sealed class DecisionContractTests
{
    /// <summary>
    /// Over OpenAI's real SDK: the request's schema requires a nullable <c>setup_strength</c> in [0, 1] and the system
    /// prompt says what both numbers mean; a hold answered with confidence 0.9 in holding and a setup strength of 0.7 stays
    /// a plain HOLD carrying both, even under a confidence floor of 0.95 (floors judge entries only).
    /// </summary>
    [Fact]
    public async Task The_model_is_told_what_both_numbers_mean_and_a_sure_hold_over_a_strong_setup_reads_as_such()
    {
        await using var server = await FakeLlmServer.StartAsync();
        var market = TestKit.Market();
        server.Reply(Replies.Text(LlmProviders.OpenAI, Hold(market, "0.9", "0.7")));
        var options = TestKit.Options(LlmProviders.OpenAI, server);
        options.MinConfidence = 0.95m;

        var proposal = await TestKit.Brain(options, new MemoryLedger()).ProposeAsync(TestKit.Request(market), CancellationToken.None);
        var decision = new DecisionValidator(Options.Create(options)).Validate(proposal, market, TradingStrategy.Scalping, DecisionSource.Scan, "d1", DateTimeOffset.UnixEpoch);

        Assert.Equal((TradeAction.Hold, 0.9m, (decimal?)0.7m, (string?)null), (decision.Action, decision.Confidence, decision.SetupStrength, decision.HoldReason));

        var body = Assert.Single(server.Requests).Body!;
        var schema = body["response_format"]!["json_schema"]!["schema"]!;
        Assert.Contains("setup_strength", schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        var strength = schema["properties"]!["setup_strength"]!;
        Assert.Equal(["number", "null"], strength["type"]!.AsArray().Select(n => n!.GetValue<string>()));
        // Microsoft.Extensions.AI moves the bounds into the description for OpenAI's structured outputs.
        Assert.Contains("minimum: 0", strength["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("maximum: 1", strength["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var system = body["messages"]!.AsArray().First(m => m!["role"]!.GetValue<string>() == "system")!["content"]!.ToString();
        Assert.Contains("confidence: how sure you are that your action is right (for hold: that staying out is right)", system, StringComparison.Ordinal);
        Assert.Contains("setup_strength: how strong the best entry setup you see is", system, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_without_setup_strength_reads_as_not_given_and_one_of_the_wrong_type_is_refused()
    {
        var market = TestKit.Market();
        var buy = JsonNode.Parse(TestKit.ValidBuyJson(market))!.AsObject();

        Assert.True(DecisionJson.TryRead(buy.ToJsonString(), market.Symbol, "m", out var without, out _));
        buy["setup_strength"] = null;
        Assert.True(DecisionJson.TryRead(buy.ToJsonString(), market.Symbol, "m", out var asNull, out _));
        buy["setup_strength"] = 0.35m;
        Assert.True(DecisionJson.TryRead(buy.ToJsonString(), market.Symbol, "m", out var given, out _));
        buy["setup_strength"] = "strong";
        Assert.False(DecisionJson.TryRead(buy.ToJsonString(), market.Symbol, "m", out _, out var reason));

        Assert.Equal((TradeAction.Buy, (decimal?)null), (without.Action, without.SetupStrength));
        Assert.Null(asNull.SetupStrength);
        Assert.Equal(0.35m, given.SetupStrength);
        Assert.Equal("'setup_strength' must be a number", reason);
    }

    /// <summary>A setup strength outside [0, 1] is as invalid as such a confidence: the entry becomes a HOLD that says why.</summary>
    [Fact]
    public void A_setup_strength_outside_zero_to_one_turns_an_entry_into_a_hold_with_the_reason()
    {
        var market = TestKit.Market();
        var buy = JsonNode.Parse(TestKit.ValidBuyJson(market))!.AsObject();
        buy["setup_strength"] = 1.4m;
        Assert.True(DecisionJson.TryRead(buy.ToJsonString(), market.Symbol, "m", out var proposal, out _));

        var decision = new DecisionValidator(Options.Create(new BrainOptions())).Validate(proposal, market, TradingStrategy.Scalping, DecisionSource.Scan, "d1", DateTimeOffset.UnixEpoch);

        Assert.Equal((TradeAction.Hold, "buy"), (decision.Action, decision.ProposedAction));
        Assert.Equal("setup_strength 1.4 is outside [0, 1]", decision.HoldReason);
    }

    [Fact]
    public async Task An_analysis_reads_the_setup_strength_beside_the_confidence_of_its_trend_read()
    {
        await using var server = await FakeLlmServer.StartAsync();
        var market = TestKit.Market();
        server.Reply(
            Replies.Text(LlmProviders.OpenAI, """{"trend":"downtrend","analysis":"lower highs","reasoning":"EMA9 under EMA21","confidence":0.8,"setup_strength":0.1}"""),
            Replies.Text(LlmProviders.OpenAI, """{"trend":"sideways","analysis":"flat","reasoning":"no edge","confidence":0.6,"setup_strength":2}"""));
        var brain = TestKit.Brain(TestKit.Options(LlmProviders.OpenAI, server), new MemoryLedger());

        var read = await brain.AnalyzeAsync(market, CancellationToken.None);
        var refused = await brain.AnalyzeAsync(market, CancellationToken.None);

        Assert.Equal(("downtrend", 0.8m, (decimal?)0.1m), (read.Trend, read.Confidence, read.SetupStrength));
        Assert.Equal(("unknown", 0m, (decimal?)null), (refused.Trend, refused.Confidence, refused.SetupStrength));
        Assert.Contains("setup_strength 2 is outside [0, 1]", refused.Reasoning, StringComparison.Ordinal);
        var system = server.Requests.First().Body!["messages"]!.AsArray().First(m => m!["role"]!.GetValue<string>() == "system")!["content"]!.ToString();
        Assert.Contains("setup_strength", system, StringComparison.Ordinal);
    }

    private static string Hold(Core.Markets.MarketSnapshot market, string confidence, string setupStrength) =>
        $$"""
        {"symbol":"{{market.Symbol}}","action":"hold","side":null,"size_percent":0,"entry_price":null,"stop_loss":null,"take_profit":null,
         "order_type":"market","confidence":{{confidence}},"setup_strength":{{setupStrength}},"reasoning":"strong trend, but the last candle is exhausted",
         "market_analysis":"uptrend","risk_assessment":"none","invalidation":"a close above the high"}
        """;
}
