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
