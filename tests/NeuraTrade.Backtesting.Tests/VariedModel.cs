using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// A deterministic stand-in for an LLM whose answers take every path of the decision reader: market and limit buys,
/// holds in a code fence, closes, prose around the object, an unknown action, a truncated answer, the wrong symbol.
/// </summary>
internal sealed class VariedModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var user = messages.Last(m => m.Role == ChatRole.User).Text;
        var market = JsonNode.Parse(user)!;
        var ask = market["price"]!["ask"]!.GetValue<decimal>();
        var bid = market["price"]!["bid"]!.GetValue<decimal>();
        var momentum = market["ind"]?["mom3_pct"]?.GetValue<decimal?>() ?? 0m;
        var rsi = market["ind"]?["rsi14"]?.GetValue<decimal?>() ?? 50m;
        var symbol = market["symbol"]!.GetValue<string>();
        var finish = ChatFinishReason.Stop;
        var bucket = (int)(rsi * 10m) % 17;
        string text;
        if (bucket == 3)
        {
            text = F($$"""Here is my answer: {"symbol":"{{symbol}}","action":"hold","confidence":0.5,"reasoning":"prose"}""");
        }
        else if (bucket == 5)
        {
            text = F($$"""{"symbol":"{{symbol}}","action":"wait","confidence":0.5,"reasoning":"unknown action"}""");
        }
        else if (bucket == 7)
        {
            text = F($$"""{"symbol":"{{symbol}}","action":"hold","confidence":0.4,"reas""");
            finish = ChatFinishReason.Length;
        }
        else if (bucket == 11)
        {
            text = """{"symbol":"ETH/BTC","action":"hold","confidence":0.4,"reasoning":"other market"}""";
        }
        else if (momentum > 0.05m)
        {
            text = F($$"""{"symbol":"{{symbol}}","action":"buy","side":"buy","size_percent":{{5m + (bucket % 4)}},"entry_price":{{ask}},"stop_loss":{{Math.Round(ask * 0.997m, 8)}},"take_profit":{{Math.Round(ask * 1.004m, 8)}},"order_type":"market","confidence":{{Math.Min(0.95m, 0.6m + momentum)}},"setup_strength":0.{{bucket}},"reasoning":"momentum \"up\" \u2191","market_analysis":"up","risk_assessment":"stop 0.3%","invalidation":"falls"}""");
        }
        else if (rsi < 35m)
        {
            var limit = Math.Round(bid * 0.999m, 8);
            text = F($$"""{"symbol":"{{symbol}}","action":"buy","side":"buy","size_percent":4,"entry_price":{{limit}},"stop_loss":{{Math.Round(limit * 0.995m, 8)}},"take_profit":{{Math.Round(limit * 1.006m, 8)}},"order_type":"limit","confidence":0.65,"setup_strength":null,"reasoning":"oversold","market_analysis":"down","risk_assessment":"stop 0.5%","invalidation":null}""");
        }
        else if (rsi > 68m)
        {
            text = F($$"""{"symbol":"{{symbol}}","action":"close","side":null,"size_percent":0,"entry_price":null,"stop_loss":null,"take_profit":null,"order_type":"market","confidence":0.7,"reasoning":"overbought","market_analysis":"high","risk_assessment":"none","invalidation":"none"}""");
        }
        else
        {
            text = F($$"""
                ```json
                {"symbol":"{{symbol}}","action":"hold","side":null,"size_percent":0,"entry_price":null,"stop_loss":null,"take_profit":null,"order_type":"market","confidence":0.3,"reasoning":"flat","market_analysis":"flat","risk_assessment":"none","invalidation":"none"}
                ```
                """);
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            Usage = new UsageDetails { InputTokenCount = 400 + (user.Length / 4), OutputTokenCount = text.Length / 4, TotalTokenCount = 400 + (user.Length / 4) + (text.Length / 4) },
            FinishReason = finish,
            ModelId = options?.ModelId,
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
