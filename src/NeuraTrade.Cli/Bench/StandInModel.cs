using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace NeuraTrade.Cli.Bench;

/// <summary>A local deterministic model: buys on positive momentum in the prompt, holds otherwise.</summary>
internal sealed class StandInModel : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var user = messages.Last(m => m.Role == ChatRole.User).Text;
        var market = JsonNode.Parse(user)!;
        var ask = market["price"]!["ask"]!.GetValue<decimal>();
        var momentum = market["ind"]?["mom3_pct"]?.GetValue<decimal?>() ?? 0m;
        var symbol = market["symbol"]!.GetValue<string>();
        var text = momentum > 0.05m
            ? F($$"""{"symbol":"{{symbol}}","action":"buy","side":"buy","size_percent":10,"entry_price":{{ask}},"stop_loss":{{Math.Round(ask * 0.997m, 8)}},"take_profit":{{Math.Round(ask * 1.004m, 8)}},"order_type":"market","confidence":0.7,"reasoning":"momentum","market_analysis":"up","risk_assessment":"stop 0.3%","invalidation":"falls"}""")
            : F($$"""{"symbol":"{{symbol}}","action":"hold","side":null,"size_percent":0,"entry_price":null,"stop_loss":null,"take_profit":null,"order_type":"market","confidence":0.3,"reasoning":"flat","market_analysis":"flat","risk_assessment":"none","invalidation":"none"}""");
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            Usage = new UsageDetails { InputTokenCount = user.Length / 4, OutputTokenCount = 60 },
            FinishReason = ChatFinishReason.Stop,
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
