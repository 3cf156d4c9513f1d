using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Tools;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The app's own composition (<c>AddNeuraTrade</c> → <c>AddNeuraTradeBrain</c>) adds the arbitrage tools to the one
/// registry every brain reads once an <see cref="ArbitrageDesk"/> is resolvable, and offers them to arbitrage only. The
/// desk here is two venues over the app's paper exchange (the figures are held by hand in Core's ArbitrageToolTests).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ArbitrageToolCompositionTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task With_a_desk_composed_the_registry_offers_the_arbitrage_tools_to_arbitrage_only()
    {
        await using var app = TestApp.Create(azurite, Start, services: s => s.AddSingleton(sp =>
        {
            var exchange = sp.GetRequiredService<IExchange>();
            return new ArbitrageDesk([new ArbitrageVenue("x", exchange, "BTC/USDT", 0.1m, 0m, 1m), new ArbitrageVenue("y", exchange, "BTC/USDT", 0.1m, 0m, 1m)], new ArbitrageOptions(), NullLogger<ArbitrageDesk>.Instance);
        }));
        var tools = app.Get<ToolRegistry>();

        Assert.Equal(["find_arbitrage", "get_inventory", "get_venue_books"], tools.GetToolsForStrategy(TradingStrategy.Arbitrage).Select(t => t.Name));
        Assert.DoesNotContain(tools.GetToolsForStrategy(TradingStrategy.Scalping), t => t.Name == "find_arbitrage");
        Assert.Contains(tools.GetToolsForStrategy(TradingStrategy.Scalping), t => t.Name == "get_market_data");

        var result = Assert.IsType<JsonElement>(await tools.Get("find_arbitrage")!.Function.InvokeAsync(new AIFunctionArguments()));
        var pairs = result.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(2, pairs.Count);
        // One book on both sides: buying at its ask and selling at its own bid loses the spread and two fees.
        Assert.All(pairs, p => Assert.True(p.GetProperty("top_net_edge_pct").GetDecimal() < 0m));
        Assert.All(pairs, p => Assert.StartsWith("net edge -", p.GetProperty("refusal").GetString(), StringComparison.Ordinal));
    }
}
