using System.Text.Json;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// The decision contract with the model: the JSON schema it is asked to follow, and a strict reader of
/// its answer. Anything that does not match (prose without JSON, wrong types, unknown action, missing
/// prices for an entry, another symbol) is a failure with the reason; nothing is guessed.
/// <c>confidence</c> is how sure the model is that its action is right (for a hold: that staying out is right);
/// <c>setup_strength</c> (0..1 or null) is how strong the best entry setup it sees is, whatever it decides.
/// </summary>
public static class DecisionJson
{
    public const int MaxTextLength = 2000;

    /// <summary>Structured-output schema for providers that support it (OpenAI, Azure OpenAI).</summary>
    public static JsonElement Schema { get; } = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "symbol": { "type": "string" },
            "action": { "type": "string", "enum": ["buy", "sell", "hold", "close"] },
            "side": { "type": ["string", "null"], "enum": ["buy", "sell", null] },
            "size_percent": { "type": "number", "description": "percent of free quote balance, 0 for hold" },
            "entry_price": { "type": ["number", "null"] },
            "stop_loss": { "type": ["number", "null"] },
            "take_profit": { "type": ["number", "null"] },
            "order_type": { "type": "string", "enum": ["market", "limit"] },
            "confidence": { "type": "number", "minimum": 0, "maximum": 1, "description": "how sure you are that this action is right (for hold: that staying out is right)" },
            "setup_strength": { "type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "strength of the best entry setup you see, whatever the action; null if none judged" },
            "reasoning": { "type": "string" },
            "market_analysis": { "type": "string" },
            "risk_assessment": { "type": "string" },
            "invalidation": { "type": "string" }
          },
          "required": ["symbol", "action", "side", "size_percent", "entry_price", "stop_loss", "take_profit", "order_type",
                       "confidence", "setup_strength", "reasoning", "market_analysis", "risk_assessment", "invalidation"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    /// <summary>Reads a decision; false with the reason when the answer is not a valid decision object.</summary>
    public static bool TryRead(string? text, string expectedSymbol, string model, out TradeProposal proposal, out string reason)
    {
        proposal = null!;
        if (!TryExtractObject(text, out var root, out reason))
        {
            return false;
        }

        using (root)
        {
            var o = root.RootElement;
            if (o.TryGetProperty("symbol", out var s) && s.ValueKind == JsonValueKind.String
                && !string.Equals(s.GetString()?.Trim(), expectedSymbol, StringComparison.OrdinalIgnoreCase))
            {
                reason = $"the answer is about '{s.GetString()}', not {expectedSymbol}";
                return false;
            }

            if (!TryString(o, "action", required: true, out var actionText, out reason)
                || !TryNumber(o, "confidence", required: true, out var confidence, out reason)
                || !TryString(o, "reasoning", required: true, out var reasoning, out reason))
            {
                return false;
            }

            TradeAction action;
            switch (actionText!.Trim().ToLowerInvariant())
            {
                case "buy":
                    action = TradeAction.Buy;
                    break;
                case "sell":
                    action = TradeAction.Sell;
                    break;
                case "hold":
                    action = TradeAction.Hold;
                    break;
                case "close":
                    action = TradeAction.Close;
                    break;
                default:
                    reason = $"unknown action '{Clip(actionText, 40)}'";
                    return false;
            }

            var entry = action is TradeAction.Buy or TradeAction.Sell;
            if (!TryNumber(o, "size_percent", required: entry, out var size, out reason)
                || !TryNumber(o, "entry_price", required: entry, out var entryPrice, out reason)
                || !TryNumber(o, "stop_loss", required: entry, out var stop, out reason)
                || !TryNumber(o, "take_profit", required: entry, out var target, out reason)
                || !TryNumber(o, "setup_strength", required: false, out var setupStrength, out reason)
                || !TryString(o, "side", required: false, out var side, out reason)
                || !TryString(o, "order_type", required: false, out var orderType, out reason)
                || !TryString(o, "market_analysis", required: false, out var analysis, out reason)
                || !TryString(o, "risk_assessment", required: false, out var risk, out reason)
                || !TryString(o, "invalidation", required: false, out var invalidation, out reason))
            {
                return false;
            }

            if (entry && side is { Length: > 0 } && !SideAgrees(action, side))
            {
                reason = $"side '{Clip(side, 20)}' contradicts action '{actionText}'";
                return false;
            }

            var type = OrderType.Market;
            if (orderType is { Length: > 0 })
            {
                switch (orderType.Trim().ToLowerInvariant())
                {
                    case "market":
                        break;
                    case "limit":
                        type = OrderType.Limit;
                        break;
                    default:
                        reason = $"unknown order_type '{Clip(orderType, 20)}'";
                        return false;
                }
            }

            proposal = new TradeProposal(
                action,
                size ?? 0m,
                entryPrice,
                stop,
                target,
                confidence!.Value,
                Clip(reasoning!, MaxTextLength),
                Clip(analysis ?? string.Empty, MaxTextLength),
                Clip(risk ?? string.Empty, MaxTextLength),
                model,
                0)
            {
                OrderType = type,
                Invalidation = invalidation is null ? null : Clip(invalidation, MaxTextLength),
                SetupStrength = setupStrength,
            };
            reason = string.Empty;
            return true;
        }
    }

    /// <summary>Reads an analysis answer: trend, analysis, reasoning, confidence (of the trend read) and the optional setup strength.</summary>
    public static bool TryReadAnalysis(string? text, out (string Trend, string Analysis, string Reasoning, decimal Confidence, decimal? SetupStrength) analysis, out string reason)
    {
        analysis = default;
        if (!TryExtractObject(text, out var root, out reason))
        {
            return false;
        }

        using (root)
        {
            var o = root.RootElement;
            if (!TryString(o, "trend", required: true, out var trend, out reason)
                || !TryString(o, "analysis", required: true, out var body, out reason)
                || !TryString(o, "reasoning", required: true, out var why, out reason)
                || !TryNumber(o, "confidence", required: true, out var confidence, out reason)
                || !TryNumber(o, "setup_strength", required: false, out var setupStrength, out reason))
            {
                return false;
            }

            if (confidence is < 0m or > 1m)
            {
                reason = $"confidence {confidence} is outside [0, 1]";
                return false;
            }

            if (setupStrength is < 0m or > 1m)
            {
                reason = $"setup_strength {setupStrength} is outside [0, 1]";
                return false;
            }

            analysis = (Clip(trend!, 40), Clip(body!, MaxTextLength), Clip(why!, MaxTextLength), confidence!.Value, setupStrength);
            return true;
        }
    }

    /// <summary>
    /// The answer must be one JSON object and nothing else; a single markdown code fence around it is
    /// tolerated. Prose around the object is refused: text the model adds beside its decision is where
    /// injected instructions and second-guesses live.
    /// </summary>
    private static bool TryExtractObject(string? text, out JsonDocument document, out string reason)
    {
        document = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            reason = "the answer is empty";
            return false;
        }

        var body = text.Trim();
        if (body.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = body.IndexOf('\n', StringComparison.Ordinal);
            if (firstLine < 0 || !body.EndsWith("```", StringComparison.Ordinal) || body.Length < firstLine + 4)
            {
                reason = "the answer has an unclosed code fence";
                return false;
            }

            body = body[(firstLine + 1)..^3].Trim();
        }

        if (!body.StartsWith('{') || !body.EndsWith('}'))
        {
            reason = body.Contains('{', StringComparison.Ordinal)
                ? "the answer has text around its JSON object (it must be the object only)"
                : "the answer holds no JSON object";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            reason = $"the answer is not valid JSON ({Clip(ex.Message, 120)})";
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            reason = "the answer is not a JSON object";
            return false;
        }

        reason = string.Empty;
        return true;
    }

    private static bool TryString(JsonElement o, string name, bool required, out string? value, out string reason)
    {
        value = null;
        if (!TryPresent(o, name, required, JsonValueKind.String, "a string", out var p, out reason))
        {
            return false;
        }

        value = p?.GetString();
        return true;
    }

    private static bool TryNumber(JsonElement o, string name, bool required, out decimal? value, out string reason)
    {
        value = null;
        if (!TryPresent(o, name, required, JsonValueKind.Number, "a number", out var p, out reason))
        {
            return false;
        }

        if (p is { } element)
        {
            if (!element.TryGetDecimal(out var d))
            {
                reason = $"'{name}' is out of range";
                return false;
            }

            value = d;
        }

        return true;
    }

    /// <summary>
    /// The one rule for every field: absent or null is fine unless required; present must be of <paramref name="kind"/>.
    /// <paramref name="element"/> is null when the field is absent or null.
    /// </summary>
    private static bool TryPresent(JsonElement o, string name, bool required, JsonValueKind kind, string kindName, out JsonElement? element, out string reason)
    {
        element = null;
        reason = string.Empty;
        if (!o.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                reason = $"'{name}' is missing";
                return false;
            }

            return true;
        }

        if (p.ValueKind != kind)
        {
            reason = $"'{name}' must be {kindName}";
            return false;
        }

        element = p;
        return true;
    }

    private static bool SideAgrees(TradeAction action, string side) => side.Trim().ToLowerInvariant() switch
    {
        "buy" or "long" => action == TradeAction.Buy,
        "sell" or "short" => action == TradeAction.Sell,
        _ => false,
    };

    private static string Clip(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), " [truncated]");
}
