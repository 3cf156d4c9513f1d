using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NeuraTrade.TestSupport;

/// <summary>A scripted model's side of the decision contract: what the prompt says, and a decision answer built from it.</summary>
public static partial class DecisionAnswers
{
    /// <summary>Every message's text of a chat-completions request body, joined.</summary>
    public static string Prompt(JsonNode body) =>
        string.Join("\n", body["messages"]!.AsArray().Select(m => m!["content"]?.ToString() ?? string.Empty));

    /// <summary>The ticker's ask the prompt shows.</summary>
    public static decimal Ask(string prompt) => decimal.Parse(AskIn().Match(prompt).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The symbol the prompt asks about.</summary>
    public static string Symbol(string prompt) => SymbolIn().Match(prompt).Groups[1].Value;

    /// <summary>A BUY of 10% at the ask, stop 0.5% below, target 1% above: inside the entry band and clear of the round trip's cost.</summary>
    public static string BuyAtAsk(string symbol, decimal ask, string reasoning, string marketAnalysis = "n/a") => new JsonObject
    {
        ["symbol"] = symbol,
        ["action"] = "buy",
        ["side"] = "buy",
        ["size_percent"] = 10,
        ["entry_price"] = ask,
        ["stop_loss"] = Math.Round(ask * 0.995m, 8),
        ["take_profit"] = Math.Round(ask * 1.01m, 8),
        ["order_type"] = "market",
        ["confidence"] = 0.9,
        ["reasoning"] = reasoning,
        ["market_analysis"] = marketAnalysis,
        ["risk_assessment"] = "n/a",
        ["invalidation"] = "n/a",
    }.ToJsonString();

    [GeneratedRegex("\"ask\"\\s*:\\s*([0-9.]+)")]
    private static partial Regex AskIn();

    [GeneratedRegex("\"symbol\"\\s*:\\s*\"([A-Z]+/[A-Z]+)\"")]
    private static partial Regex SymbolIn();
}
