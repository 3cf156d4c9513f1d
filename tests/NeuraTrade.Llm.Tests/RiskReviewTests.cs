using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Llm.Tests;

/// <summary>The AI risk review can approve, shrink or cancel an entry, never enlarge it; when it cannot answer, the trade is blocked.</summary>
public sealed class RiskReviewTests
{
    [Theory]
    [InlineData("""{"verdict":"approve","size_factor":1,"reasoning":"fine"}""", "buy", 10)]
    [InlineData("""{"verdict":"reduce","size_factor":0.5,"reasoning":"volatile"}""", "buy", 5)]
    [InlineData("""{"verdict":"block","size_factor":0,"reasoning":"three losses in a row"}""", "hold", 10)]
    [InlineData("""{"verdict":"reduce","size_factor":3,"reasoning":"double it"}""", "hold", 10)]
    [InlineData("""{"verdict":"enlarge","size_factor":2,"reasoning":"yolo"}""", "hold", 10)]
    [InlineData("Looks good to me!", "hold", 10)]
    public async Task A_review_only_shrinks_or_cancels(string answer, string action, decimal size)
    {
        var market = TestKit.Market();
        var decision = await ValidBuyAsync(market);
        var reviewer = Reviewer(new ScriptedChatClient(_ => ScriptedChatClient.Text(answer)), new MemoryLedger());

        var reviewed = decision.WithReview(await reviewer.ReviewAsync(decision, market, TestKit.Request(market).Portfolio, CancellationToken.None));

        Assert.Equal(action, reviewed.Action.ToString().ToLowerInvariant());
        Assert.Equal(size, reviewed.SizePercent);
        Assert.True(reviewed.SizePercent <= decision.SizePercent);
        Assert.NotNull(reviewed.Review);
        if (action == "hold")
        {
            Assert.StartsWith("risk review blocked", reviewed.HoldReason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_failing_reviewer_blocks_and_its_call_is_billed()
    {
        var market = TestKit.Market();
        var decision = await ValidBuyAsync(market);
        var ledger = new MemoryLedger();
        var reviewer = Reviewer(new ScriptedChatClient(_ => throw new LlmUnavailableException("server_error", "HTTP 500")), ledger);

        var review = await reviewer.ReviewAsync(decision, market, TestKit.Request(market).Portfolio, CancellationToken.None);

        Assert.Equal(RiskReview.Block, review.Verdict);
        Assert.Contains("server_error", review.Reasoning, StringComparison.Ordinal);
        Assert.Equal("risk_review", Assert.Single(ledger.Records).Purpose);
    }

    [Fact]
    public async Task The_decision_maker_applies_the_review_to_entries_only()
    {
        var market = TestKit.Market();
        var options = new BrainOptions { Provider = "openai", Model = "gpt-4o-mini", DailyBudgetUsd = 0m };
        var reviews = 0;
        var reviewer = Reviewer(new ScriptedChatClient(_ =>
        {
            reviews++;
            return ScriptedChatClient.Text("""{"verdict":"reduce","size_factor":0.25,"reasoning":"thin book"}""");
        }), new MemoryLedger());

        var buy = await MakerAnswering(TestKit.ValidBuyJson(market), options, reviewer).DecideAsync(market, TestKit.Request(market).Portfolio, TradingStrategy.Scalping, DecisionSource.Api, CancellationToken.None);
        var hold = await MakerAnswering("""{"symbol":"BTC/USDT","action":"hold","confidence":0.2,"reasoning":"flat"}""", options, reviewer).DecideAsync(market, TestKit.Request(market).Portfolio, TradingStrategy.Scalping, DecisionSource.Api, CancellationToken.None);

        Assert.Equal(TradeAction.Buy, buy.Action);
        Assert.Equal(2.5m, buy.SizePercent);
        Assert.Equal(TradeAction.Hold, hold.Action);
        Assert.Null(hold.Review);
        Assert.Equal(1, reviews);
    }

    private static DecisionMaker MakerAnswering(string answer, BrainOptions options, IRiskReviewer reviewer)
    {
        var brain = new LlmBrain(new ScriptedChatClient(_ => ScriptedChatClient.Text(answer)), new Core.Tools.ToolRegistry(false), new LlmEndpoint("openai", "gpt-4o-mini", true), new MemoryLedger(), Options.Create(options), TimeProvider.System, NullLogger<LlmBrain>.Instance);
        // Only validation and review are reached: nothing is read, placed or journaled.
        var entries = new Core.Scalping.EntryPipeline(null!, new DecisionValidator(Options.Create(options)), new EntryReview(reviewer), null!, null!, null!, Options.Create(options), NullLogger<Core.Scalping.EntryPipeline>.Instance);
        return new DecisionMaker(brain, entries, null!, Options.Create(options), TimeProvider.System, NullLogger<DecisionMaker>.Instance);
    }

    private static async Task<TradingDecision> ValidBuyAsync(Core.Markets.MarketSnapshot market)
    {
        var options = new BrainOptions { Provider = "openai", Model = "gpt-4o-mini", DailyBudgetUsd = 0m };
        var brain = new LlmBrain(new ScriptedChatClient(_ => ScriptedChatClient.Text(TestKit.ValidBuyJson(market))), new Core.Tools.ToolRegistry(false), new LlmEndpoint("openai", "gpt-4o-mini", true), new MemoryLedger(), Options.Create(options), TimeProvider.System, NullLogger<LlmBrain>.Instance);
        var proposal = await brain.ProposeAsync(TestKit.Request(market), CancellationToken.None);
        var decision = new DecisionValidator(Options.Create(options)).Validate(proposal, market, TradingStrategy.Scalping, DecisionSource.Api, "d1", DateTimeOffset.UnixEpoch);
        Assert.True(decision.IsEntry, decision.HoldReason);
        return decision;
    }

    private static LlmRiskReviewer Reviewer(ScriptedChatClient chat, MemoryLedger ledger) =>
        new(chat, new LlmEndpoint("openai", "gpt-4o-mini", false), ledger, Options.Create(new BrainOptions { Provider = "openai", Model = "gpt-4o-mini", DailyBudgetUsd = 0m }), TimeProvider.System, NullLogger<LlmRiskReviewer>.Instance);
}
