using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The prompts are written straight to UTF-8 for speed; recorded cassettes are keyed by the prompts as they were first
/// built, as JSON trees (<see cref="TreeUserPrompt"/>, kept here as the reference). Over random windows of real data
/// (BTC/USDT, tiny X/BTC prices, anonymized), random portfolios and recent outcomes, the two must be the same text, and
/// the journal's prompt hash the same as the joined-string hash.
/// </summary>
public sealed class PromptJsonTests
{
    private static readonly IReadOnlyList<Candle>[] Series =
    [
        Bundled.Btc,
        Bundled.Market("NXT_BTC-5m.csv").Candles,
        Bundled.Market("ETH_BTC-5m.csv").Candles,
    ];

    private static readonly Gen<(string, decimal, string?, decimal)> Outcome =
        Gen.Select(Gen.String, Gen.Int[0, 1000], Gen.String.Null(), Gen.Int[-10_000_000, 10_000_000], (action, confidence, outcome, pnl) => (action, confidence / 1000m, outcome, pnl / 777m));

    private static readonly Gen<BrainRequest> Requests = Gen.Select(
        Gen.Select(Gen.Int[0, Series.Length - 1], Gen.Int[1, 2000], Gen.Int[1, 70], Gen.Bool, Gen.Int[0, 2]),
        Gen.Select(Gen.Int[-1_000_000, 1_000_000_000], Gen.Int[0, 20], Gen.Bool, Gen.Int[-100_000_000, 100_000_000]),
        Outcome.Array[0, 4],
        (market, portfolio, recent) => Request(market.Item1, market.Item2, market.Item3, market.Item4, (TradingStrategy)market.Item5, portfolio.Item1 / 3m, portfolio.Item2, portfolio.Item3, portfolio.Item4 / 1000m, recent));

    [Fact]
    public void The_user_prompt_is_the_json_tree_it_was_built_as()
    {
        Requests.Sample(request => PromptBuilder.UserPrompt(request) == TreeUserPrompt(request), iter: 3000);
    }

    [Fact]
    public void The_analysis_prompt_and_the_prompt_hash_are_as_before()
    {
        Requests.Sample(request =>
        {
            var analysis = PromptBuilder.ForAnalysis(request.Market);
            var decision = PromptBuilder.ForDecision(request, new BrainOptions { MaxSizePercent = 12.50m, AllowShort = request.Portfolio.HoldsSymbol });
            return analysis[1].Text == TreeMarket(request.Market).ToJsonString()
                && PromptBuilder.Hash(analysis) == JoinedHash(analysis)
                && PromptBuilder.Hash(decision) == JoinedHash(decision)
                && decision[0].Text.Contains("(0, 12.50]", StringComparison.Ordinal);
        }, iter: 1000);
        ChatMessage[] odd = [new(ChatRole.User, "\ud83d"), new(new ChatRole("x"), [new TextContent("a"), new TextContent("\udc80b")]), new(ChatRole.System, new string('é', 9000))];
        Assert.Equal(JoinedHash(odd), PromptBuilder.Hash(odd));
        Assert.Equal(JoinedHash([]), PromptBuilder.Hash([]));
    }

    [Fact]
    public void The_system_prompt_keeps_each_limit_as_written()
    {
        var whole = PromptBuilder.SystemPrompt(TradingStrategy.Scalping, new BrainOptions { MaxSizePercent = 25m });
        var decimals = PromptBuilder.SystemPrompt(TradingStrategy.Scalping, new BrainOptions { MaxSizePercent = 25.0m });
        Assert.Contains("(0, 25]", whole, StringComparison.Ordinal);
        Assert.Contains("(0, 25.0]", decimals, StringComparison.Ordinal);
        Assert.Contains("no short entries", whole, StringComparison.Ordinal);
        Assert.DoesNotContain("no short entries", PromptBuilder.SystemPrompt(TradingStrategy.Scalping, new BrainOptions { AllowShort = true }), StringComparison.Ordinal);
        Assert.StartsWith("You are the decision engine of a crypto arbitrage desk", PromptBuilder.SystemPrompt(TradingStrategy.Arbitrage, new BrainOptions()), StringComparison.Ordinal);
    }

    private static BrainRequest Request(int series, int end, int length, bool anonymize, TradingStrategy strategy, decimal free, int positions, bool holds, decimal pnl, (string, decimal, string?, decimal)[] recent)
    {
        var candles = Series[series];
        end = Math.Min(end + length, candles.Count);
        var window = candles.Skip(end - length).Take(length).ToArray();
        var last = window[^1];
        var ticker = new Ticker("BTC/USDT", last.OpenTime.AddMinutes(5), last.Close * 0.9999m, last.Close * 1.0001m, last.Close, last.High, last.Low, last.Volume);
        var market = MarketSnapshot.Create(ticker, window);
        if (anonymize)
        {
            market = AnonymizingBrain.Anonymize(market).Market;
        }

        return new BrainRequest(market, new PortfolioSnapshot(holds ? "USDT" : "CASH \"<&>\"", free, positions, holds, pnl), strategy)
        {
            RecentOutcomes = [.. recent.Select(r => new RecentOutcome(r.Item1, r.Item2, r.Item3!, r.Item4))],
        };
    }

    private static string JoinedHash(IEnumerable<ChatMessage> messages)
    {
        var text = string.Join("\n\u241E\n", messages.Select(m => $"{m.Role}:{m.Text}"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    /// <summary>The user prompt as first built: a JSON tree written with the default options.</summary>
    private static string TreeUserPrompt(BrainRequest request)
    {
        var json = TreeMarket(request.Market);
        var p = request.Portfolio;
        json["portfolio"] = new JsonObject
        {
            ["quote"] = p.QuoteCurrency,
            ["free"] = R(p.QuoteFree, 2),
            ["open_positions"] = p.OpenPositions,
            ["holds_symbol"] = p.HoldsSymbol,
            ["daily_pnl"] = R(p.DailyPnl, 2),
        };
        if (request.RecentOutcomes is { Count: > 0 } recent)
        {
            json["recent"] = new JsonArray(recent
                .Select(r => (JsonNode)new JsonArray(r.Action, R(r.Confidence, 2), r.Outcome, R(r.Pnl, 4)))
                .ToArray());
        }

        json["strategy"] = request.Strategy.ToString().ToLowerInvariant();
        return json.ToJsonString();
    }

    private static JsonObject TreeMarket(MarketSnapshot market)
    {
        var t = market.Ticker;
        var i = market.Indicators;
        var candles = market.Candles.Skip(Math.Max(0, market.Candles.Count - PromptBuilder.InlineCandles))
            .Select(c => (JsonNode)new JsonArray(P(c.Open), P(c.High), P(c.Low), P(c.Close), R(c.Volume, 2)))
            .ToArray();
        return new JsonObject
        {
            ["symbol"] = market.Symbol,
            ["time"] = t.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["price"] = new JsonObject { ["last"] = P(t.Last), ["bid"] = P(t.Bid), ["ask"] = P(t.Ask), ["spread_pct"] = R(t.SpreadPercent, 4) },
            ["ind"] = new JsonObject
            {
                ["ema9"] = P(i.EmaFast),
                ["ema21"] = P(i.EmaSlow),
                ["atr14"] = P(i.Atr),
                ["rsi14"] = R(i.Rsi, 1),
                ["mom3_pct"] = R(i.MomentumPercent, 4),
                ["vol_pct"] = R(i.VolatilityPercent, 4),
            },
            ["candles_ohlcv"] = new JsonArray(candles),
        };
    }

    private static decimal? P(decimal? value) =>
        value is not { } v || v == 0m ? value : Math.Round(v, Math.Clamp(7 - (int)Math.Floor(Math.Log10((double)Math.Abs(v))), 0, 10));

    private static decimal? R(decimal? value, int decimals) => value is { } v ? Math.Round(v, decimals) : null;
}
