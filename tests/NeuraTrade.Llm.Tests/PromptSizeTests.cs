using Microsoft.ML.Tokenizers;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Llm.Tests;

/// <summary>The scalping prompt is paid for on every scan of every symbol: it must stay within its stated budget.</summary>
public sealed class PromptSizeTests
{
    /// <summary>The budget for one scalping decision's prompt (system + user), o200k tokens. README states it.</summary>
    public const int ScalpingPromptBudget = 900;

    [Fact]
    public void A_real_scalping_prompt_stays_within_its_token_budget()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        var request = TestKit.Request() with
        {
            RecentOutcomes = [new("buy", 0.8m, "win", 1.25m), new("buy", 0.7m, "loss", -0.9m), new("buy", 0.65m, "loss", -0.4m), new("buy", 0.9m, "win", 2m), new("buy", 0.75m, "win", 0.3m)],
        };
        var messages = PromptBuilder.ForDecision(request, new BrainOptions());

        var tokens = messages.Sum(m => tokenizer.CountTokens(m.Text));

        Assert.True(tokens <= ScalpingPromptBudget, $"the scalping prompt is {tokens} tokens, over its budget of {ScalpingPromptBudget}");
        Assert.True(tokens > 200, $"{tokens} tokens: the prompt lost its content");
    }

    /// <summary>The most the learning context (<c>AI:EnableLearning</c>) may add to the prompt, o200k tokens. docs/learning.md states it.</summary>
    public const int LearningBudget = 130;

    [Fact]
    public void A_scalping_prompt_with_the_fullest_learning_context_stays_within_both_budgets()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        // Every list over its bound (cut), numbers at their widest, lessons of the code's words over the longest allowed (cut).
        var trade = new ResolvedTrade("s", 0.99m, "b", -12.345m, "ts", 1234.5m, DateTimeOffset.UnixEpoch);
        const string lesson = "Entries at 0.7 or more won 17% of 10000: state less; 9999 of 10000 trades hit the stop.";
        var learning = new LearningContext(
            [.. Enumerable.Repeat(trade, 9)],
            new LearningStats(10_000, 33.3m, 12.34m, -1.234m),
            [.. Enumerable.Repeat(trade, 9)],
            [.. Enumerable.Repeat(lesson, 9)]);
        var without = PromptBuilder.ForDecision(TestKit.Request(), new BrainOptions());
        var with = PromptBuilder.ForDecision(TestKit.Request() with { Learning = learning }, new BrainOptions());

        var tokens = with.Sum(m => tokenizer.CountTokens(m.Text));
        var added = tokens - without.Sum(m => tokenizer.CountTokens(m.Text));

        Assert.True(added <= LearningBudget, $"the learning context adds {added} tokens, over its budget of {LearningBudget}");
        Assert.True(tokens <= ScalpingPromptBudget, $"the scalping prompt with learning is {tokens} tokens, over its budget of {ScalpingPromptBudget}");
        var user = PromptBuilder.UserPrompt(TestKit.Request() with { Learning = learning });
        Assert.Contains("\"learning\":{\"stats\":[10000,33.3,12.34,-1.234]", user, StringComparison.Ordinal);
        Assert.Equal(LearningContext.MaxLessons, CountOf(user, lesson[..LearningContext.MaxLessonLength] + "\""));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    [Fact]
    public void The_user_prompt_carries_market_portfolio_and_learning_context()
    {
        var request = TestKit.Request() with { RecentOutcomes = [new("buy", 0.8m, "win", 1.25m)] };

        var user = PromptBuilder.UserPrompt(request);

        foreach (var key in new[] { "\"symbol\":\"BTC/USDT\"", "\"bid\"", "\"ask\"", "\"spread_pct\"", "\"ema9\"", "\"atr14\"", "\"rsi14\"", "\"candles_ohlcv\"", "\"portfolio\"", "\"free\"", "\"recent\"" })
        {
            Assert.Contains(key, user, StringComparison.Ordinal);
        }
    }
}
