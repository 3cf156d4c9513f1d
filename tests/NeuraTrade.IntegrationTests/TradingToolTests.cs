using System.Text.Json;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Tools;

namespace NeuraTrade.IntegrationTests;

/// <summary>The tools the model calls, on the paper exchange and real Azurite: answers are JSON objects, execution is risk-gated.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TradingToolTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Market_data_tools_answer_objects_and_refuse_unknown_symbols()
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { ["AI:ExecutionTools"] = "true" });
        var tools = app.Get<ToolRegistry>();

        var book = await CallAsync(tools, "get_order_book", new() { ["symbol"] = "BTC/USDT", ["limit"] = 5 });
        var candles = await CallAsync(tools, "get_candles", new() { ["symbol"] = "BTC/USDT", ["limit"] = 3 });
        var unknown = await CallAsync(tools, "get_market_data", new() { ["symbol"] = "DOGE/USDT" });

        Assert.Equal(5, book.GetProperty("bids").GetArrayLength());
        Assert.True(book.GetProperty("asks")[0][0].GetDecimal() > book.GetProperty("bids")[0][0].GetDecimal());
        Assert.Equal(3, candles.GetProperty("candles").GetArrayLength());
        Assert.Contains("not a configured symbol", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Place_order_goes_through_the_validator_and_the_risk_gate()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, new Dictionary<string, string?> { ["AI:ExecutionTools"] = "true" });
        var tools = app.Get<ToolRegistry>();
        var market = await CallAsync(tools, "get_market_data", new() { ["symbol"] = "BTC/USDT" });
        var ask = market.GetProperty("ask").GetDecimal();

        var wrongSide = await CallAsync(tools, "place_order", Order(ask, stop: ask * 1.01m, target: ask * 1.02m, confidence: 0.9m));
        var tooUnsure = await CallAsync(tools, "place_order", Order(ask, stop: ask * 0.995m, target: ask * 1.01m, confidence: 0.3m));
        var placed = await CallAsync(tools, "place_order", Order(ask, stop: ask * 0.995m, target: ask * 1.01m, confidence: 0.9m));
        var second = await CallAsync(tools, "place_order", Order(ask, stop: ask * 0.995m, target: ask * 1.01m, confidence: 0.9m));

        Assert.False(wrongSide.GetProperty("placed").GetBoolean());
        Assert.Contains("stop_loss < entry_price", wrongSide.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(tooUnsure.GetProperty("placed").GetBoolean());
        Assert.True(placed.GetProperty("placed").GetBoolean(), placed.ToString());
        Assert.False(second.GetProperty("placed").GetBoolean());
        Assert.Contains("already open", second.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var position = Assert.Single(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        Assert.True(position.EntryNotional <= 100m);

        var closed = await CallAsync(tools, "close_position", new() { ["position_id"] = position.Id });
        Assert.True(closed.GetProperty("closed").GetBoolean());
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
    }

    private static AIFunctionArguments Order(decimal ask, decimal stop, decimal target, decimal confidence) => new()
    {
        ["symbol"] = "BTC/USDT",
        ["side"] = "buy",
        ["size_percent"] = 10m,
        ["stop_loss"] = Math.Round(stop, 2),
        ["take_profit"] = Math.Round(target, 2),
        ["confidence"] = confidence,
        ["reasoning"] = "test",
    };

    private static async Task<JsonElement> CallAsync(ToolRegistry tools, string name, AIFunctionArguments args)
    {
        var tool = tools.Get(name) ?? throw new InvalidOperationException($"no tool {name}");
        var result = await tool.Function.InvokeAsync(args);
        return Assert.IsType<JsonElement>(result);
    }
}
