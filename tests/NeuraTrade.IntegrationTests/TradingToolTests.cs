using System.Text.Json;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Tools;
using NeuraTrade.Core.Trading;

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

    /// <summary>
    /// check_risk asks exactly what the desk would ask: the stop and target the model gives, the net edge over costs, and
    /// the risk context (here the day's stored trades: a stop-loss cooldown, then the daily loss). Nothing is placed.
    /// </summary>
    [Fact]
    public async Task Check_risk_judges_the_entry_as_the_desk_would_and_places_nothing()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, new Dictionary<string, string?> { ["AI:ExecutionTools"] = "true" });
        var tools = app.Get<ToolRegistry>();
        var ask = (await CallAsync(tools, "get_market_data", new() { ["symbol"] = "BTC/USDT" })).GetProperty("ask").GetDecimal();
        var before = await app.Get<NeuraTrade.Core.Trading.IExchange>().FetchBalanceAsync(CancellationToken.None);

        var good = await CallAsync(tools, "check_risk", Probe(ask, stop: ask * 0.995m, target: ask * 1.01m));
        var thin = await CallAsync(tools, "check_risk", Probe(ask, stop: ask * 0.995m, target: ask * 1.001m));

        // 10% of 10,000 USDT free is 1,000, capped by Scalping:MaxPositionSize 100.
        Assert.True(good.GetProperty("approved").GetBoolean(), good.ToString());
        Assert.Equal(100m, good.GetProperty("notional").GetDecimal());

        // A target 0.1% away cannot pay two 0.1% fees, slippage and the spread.
        Assert.False(thin.GetProperty("approved").GetBoolean());
        Assert.Contains("net edge", thin.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // A BTC/USDT stop-loss 2 market minutes ago (30 USDT lost): the 5-minute cooldown refuses the same probe.
        var market = TestApp.MarketTimeAt(buyAt);
        Assert.True(market.TimeOfDay >= TimeSpan.FromMinutes(40), "the lost trades must be on the same market day");
        await app.Get<IPositionStore>().CloseAsync(Lost("pos-stopped", market.AddMinutes(-2), 30m), CancellationToken.None);
        var cooling = await CallAsync(tools, "check_risk", Probe(ask, stop: ask * 0.995m, target: ask * 1.01m));
        Assert.False(cooling.GetProperty("approved").GetBoolean());
        Assert.Contains("cooling down", cooling.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // Another 70 USDT lost earlier today: 100 in all, the whole Scalping:MaxDailyLoss.
        await app.Get<IPositionStore>().CloseAsync(Lost("pos-earlier", market.AddMinutes(-40), 70m), CancellationToken.None);
        var spent = await CallAsync(tools, "check_risk", Probe(ask, stop: ask * 0.995m, target: ask * 1.01m));
        Assert.False(spent.GetProperty("approved").GetBoolean());
        Assert.Contains("daily loss", spent.GetProperty("reason").GetString(), StringComparison.Ordinal);

        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        Assert.Empty(await app.Get<NeuraTrade.Core.Trading.IExchange>().FetchOpenOrdersAsync(null, CancellationToken.None));
        var after = await app.Get<NeuraTrade.Core.Trading.IExchange>().FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(before.Free("USDT"), after.Free("USDT"));
        Assert.Equal(before.Free("BTC"), after.Free("BTC"));
    }

    /// <summary>A BTC/USDT long of 1 BTC bought at 20,000 and stopped out <paramref name="loss"/> lower at <paramref name="closedAt"/>, no fees.</summary>
    private static Position Lost(string id, DateTimeOffset closedAt, decimal loss) =>
        new Position(id, "BTC/USDT", PositionSide.Long, 1m, 20_000m, 0m, 20_000m - loss, 20_100m, closedAt.AddMinutes(-5), $"o-{id}", $"d-{id}", closedAt.AddMinutes(-5))
            with { ExitPrice = 20_000m - loss, ExitFee = 0m, ClosedAt = closedAt, ExitReason = ExitReason.StopLoss, ExitOrderId = $"x-{id}" };

    private static AIFunctionArguments Probe(decimal ask, decimal stop, decimal target) => new()
    {
        ["symbol"] = "BTC/USDT",
        ["side"] = "buy",
        ["size_percent"] = 10m,
        ["stop_loss"] = Math.Round(stop, 2),
        ["take_profit"] = Math.Round(target, 2),
        ["confidence"] = 0.9m,
    };

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
