using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

public sealed class TradingModeTests
{
    private static readonly Dictionary<string, string?> NoKeys = new()
    {
        ["Exchange:Binance:ApiKey"] = null,
        ["Exchange:Binance:ApiSecret"] = null,
    };

    [Fact]
    public async Task Paper_is_the_default_mode_and_uses_the_replay()
    {
        await using var app = TestBinance.Create(null, new Dictionary<string, string?>(NoKeys) { ["Trading:Mode"] = null });

        var exchange = app.Exchange;

        Assert.IsType<PaperExchange>(exchange);
        Assert.Equal(TradingMode.Paper, exchange.Mode);
        Assert.Equal("paper-replay", exchange.Name);
    }

    [Fact]
    public async Task Testnet_mode_trades_on_binance_testnet_by_default()
    {
        await using var app = TestBinance.Create(null);

        var exchange = app.Exchange;

        Assert.IsType<BinanceSpotExchange>(exchange);
        Assert.Equal(TradingMode.Testnet, exchange.Mode);
        Assert.Equal(BinanceOptions.TestnetBaseUrl, ExchangeComposition.BinanceBaseUrl(app.Services));
    }

    [Fact]
    public async Task Live_mode_with_keys_and_a_daily_loss_limit_trades_on_binance()
    {
        await using var app = TestBinance.Create(null, new Dictionary<string, string?> { ["Trading:Mode"] = "live", ["Scalping:MaxDailyLoss"] = "50" });

        Assert.Equal(TradingMode.Live, app.Exchange.Mode);
        Assert.Equal("binance", app.Exchange.Name);
        Assert.Equal(BinanceOptions.LiveBaseUrl, ExchangeComposition.BinanceBaseUrl(app.Services));
    }

    [Theory]
    [InlineData("testnet", null, null, "Exchange:Binance:ApiKey")]
    [InlineData("live", null, "50", "Exchange:Binance:ApiKey")]
    [InlineData("live", "replay", "50", "Exchange:MarketData=replay")]
    [InlineData("testnet", "replay", null, "Exchange:MarketData=replay")]
    [InlineData("live", null, null, "Scalping:MaxDailyLoss")]
    [InlineData("real", null, null, "Trading:Mode")]
    public async Task A_host_that_would_send_orders_refuses_to_start_without_its_safeguards(string mode, string? marketData, string? dailyLoss, string named)
    {
        var settings = new Dictionary<string, string?> { ["Trading:Mode"] = mode, ["Exchange:MarketData"] = marketData, ["Scalping:MaxDailyLoss"] = dailyLoss };
        if (named == "Exchange:Binance:ApiKey")
        {
            settings["Exchange:Binance:ApiKey"] = null;
        }

        await using var app = TestBinance.Create(null, settings);

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IExchange>());
        Assert.Contains(named, string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paper_over_the_live_binance_feed_quotes_from_binance_and_fills_on_paper()
    {
        await using var server = await BinanceLoopbackServer.StartAsync();
        await using var app = TestBinance.Create(server, new Dictionary<string, string?>(NoKeys) { ["Trading:Mode"] = "paper", ["Exchange:MarketData"] = "binance" });

        var ticker = await app.Exchange.FetchTickerAsync("BTC/USDT", CancellationToken.None);
        var order = await app.Exchange.CreateOrderAsync(new OrderRequest("BTC/USDT", OrderType.Market, OrderSide.Buy, 0.005m, null, "nt-paper-live"), CancellationToken.None);

        Assert.Equal("paper-binance", app.Exchange.Name);
        Assert.Equal(TradingMode.Paper, app.Exchange.Mode);
        Assert.Equal(73369.84m, ticker.Ask);

        // The fixture book: 0.0087 BTC at 42574.31 is enough for 0.005 BTC; 0.02% slippage on top.
        Assert.Equal(Math.Round(42574.31m * 1.0002m, 8), order.Average);
        Assert.Empty(server.To("POST", "/api/v3/order"));
    }

    [Fact]
    public void Startup_line_names_the_mode_plainly()
    {
        Assert.StartsWith("Trading mode: LIVE. REAL ORDERS", TradingModeAnnouncement.Describe(TradingMode.Live, "binance", "binance", BinanceOptions.LiveBaseUrl), StringComparison.Ordinal);
        Assert.StartsWith("Trading mode: PAPER.", TradingModeAnnouncement.Describe(TradingMode.Paper, "paper-replay", "replay", BinanceOptions.LiveBaseUrl), StringComparison.Ordinal);
        Assert.Contains("testnet", TradingModeAnnouncement.Describe(TradingMode.Testnet, "binance-testnet", "binance", BinanceOptions.TestnetBaseUrl), StringComparison.OrdinalIgnoreCase);
    }
}
