using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Markets;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

/// <summary>The replay's quote and book model and the markets' price ticks (markets.json, or the data's decimals).</summary>
public sealed class ReplayQuoteTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Bundled_markets_get_the_tick_their_folder_states()
    {
        var replay = CandleReplayTests.LoadReplay();
        Assert.True(replay.TryGetSeries("BTC/USDT", out var btc));
        Assert.True(replay.TryGetSeries("ETH/BTC", out var eth));

        // The BTC/USDT file writes one decimal; markets.json says Binance's tick, 0.01.
        Assert.Equal(0.01m, btc.TickSize);
        Assert.Equal(0.00000001m, eth.TickSize);

        var feed = new ReplayMarketData(replay, Options.Create(new PaperExchangeOptions()), new FakeTimeProvider());
        var markets = await feed.LoadMarketsAsync(CancellationToken.None);
        Assert.Equal(0.01m, markets["BTC/USDT"].TickSize);
        Assert.Equal(0.00000001m, markets["ETH/BTC"].TickSize);
    }

    [Fact]
    public void A_market_the_folder_does_not_name_gets_the_tick_its_prices_show()
    {
        var folder = Directory.CreateTempSubdirectory("neuratrade-ticks-");
        try
        {
            // Three decimals at most (1.125), written with and without exponents; a quote file beside it is not a market.
            File.WriteAllText(Path.Combine(folder.FullName, "ABC_USDT-5m.csv"), "timestamp,open,high,low,close,volume\n0,1.5,1.75,1.25,1.5,10\n300000,1.5,1.5,1.125,1.25E0,10\n");
            File.WriteAllText(Path.Combine(folder.FullName, "XYZ_USDT-5m.csv"), "timestamp,open,high,low,close,volume\n0,3.195E-05,3.2E-05,3.1E-05,3.2E-05,1\n300000,3.2E-05,3.2E-05,3.2E-05,3.2E-05,1\n");
            File.WriteAllText(Path.Combine(folder.FullName, "ABC_USDT-5m-quotes.csv"), "timestamp,bid_open\n0,1\n");
            File.WriteAllText(Path.Combine(folder.FullName, MarketTicks.FileName), """{ "markets": { "xyz/usdt": { "tick_size": 0.000001 } } }""");

            var replay = CandleReplay.Load(folder.FullName);

            Assert.Equal(["ABC/USDT", "XYZ/USDT"], replay.Symbols.Order(StringComparer.Ordinal));
            Assert.True(replay.TryGetSeries("ABC/USDT", out var abc));
            Assert.True(replay.TryGetSeries("XYZ/USDT", out var xyz));
            Assert.Equal(0.001m, abc.TickSize);
            Assert.Equal(0.000001m, xyz.TickSize);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_tick_prices_show_is_never_finer_than_8_decimals()
    {
        Candle[] candles = [new(TestMarket.T0, 1.123456789m, 2m, 1m, 1.5m, 1m), new(TestMarket.T0.AddMinutes(5), 1m, 1m, 1m, 1m, 1m)];
        Assert.Equal(0.00000001m, MarketTicks.Inferred(candles));
        Assert.Equal(1m, MarketTicks.Inferred([new(TestMarket.T0, 20_000m, 20_100m, 19_900m, 20_050m, 1m)]));
    }

    [Theory]
    [InlineData("""{ "markets": { "BTC/USDT": { "tick_size": -0.01 } } }""", "markets.BTC/USDT.tick_size must be a positive number")]
    [InlineData("""{ "markets": { "BTC/USDT": { "step": 0.01 } } }""", "markets.BTC/USDT.tick_size must be a positive number")]
    [InlineData("""{ "markets": { "BTC/USDT": { "tick_size": "0.01" } } }""", "markets.BTC/USDT.tick_size must be a positive number")]
    [InlineData("""{ "markets": { "BTCUSDT": { "tick_size": 0.01 } } }""", "'BTCUSDT' is not a symbol like BTC/USDT")]
    [InlineData("""{ "BTC/USDT": { "tick_size": 0.01 } }""", "expected {\"markets\"")]
    [InlineData("""{ "markets": { """, "not valid JSON")]
    public void A_markets_file_not_in_the_documented_shape_is_refused_naming_the_file_and_the_fix(string json, string expected)
    {
        var folder = Directory.CreateTempSubdirectory("neuratrade-ticks-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, MarketTicks.FileName), json);

            var refused = Assert.Throws<InvalidDataException>(() => MarketTicks.Load(folder.FullName));

            Assert.Contains(Path.Combine(folder.FullName, MarketTicks.FileName), refused.Message, StringComparison.Ordinal);
            Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("0", "0.01")]          // off: one tick
    [InlineData("0.0001", "0.01")]     // 0.0001 x 10.00 = 0.001, less than a tick: one tick
    [InlineData("0.0015", "0.02")]     // 0.015: rounded up to two ticks
    [InlineData("0.002", "0.02")]      // 0.02 exactly: two ticks
    [InlineData("0.05", "0.50")]       // 0.5: fifty ticks
    public void The_spread_is_one_tick_or_the_range_share_of_the_last_closed_candle_in_whole_ticks(string factor, string spread)
    {
        // The last closed candle spans 10.00 (105.00 .. 95.00); the candle in force spans 40.00, which must not count.
        var series = new CandleSeries("ABC/USD", "5m", [new(TestMarket.T0, 100m, 105m, 95m, 101m, 7m), new(TestMarket.T0.AddMinutes(5), 101m, 130m, 90m, 120m, 9m)], 0.01m);
        var options = new PaperExchangeOptions { RangeSpreadFactor = decimal.Parse(factor, System.Globalization.CultureInfo.InvariantCulture) };
        var t = TestMarket.T0.AddMinutes(5).AddSeconds(10);

        var ticker = ReplayMarketData.Quote(series, 1, t, options);

        Assert.Equal(decimal.Parse(spread, System.Globalization.CultureInfo.InvariantCulture), ticker.Ask - ticker.Bid);
        Assert.Equal(101m, ticker.Last);
        Assert.Equal(ticker.Last, ticker.Mid);
    }

    [Fact]
    public void Depth_and_volume_come_from_the_last_closed_candle_and_the_first_candle_gets_the_fallback_depth()
    {
        // Ten levels of 1% of the closed candle's 700 BTC: 7 BTC each; before any candle has closed, 10,000 USD at 100: 100 each.
        var series = new CandleSeries("ABC/USD", "5m", [new(TestMarket.T0, 100m, 105m, 95m, 101m, 700m), new(TestMarket.T0.AddMinutes(5), 101m, 130m, 90m, 120m, 900m)], 0.01m);
        var options = new PaperExchangeOptions { BookLevels = 10 };

        var first = ReplayMarketData.Quote(series, 0, TestMarket.T0.AddMinutes(1), options);
        var second = ReplayMarketData.Quote(series, 1, TestMarket.T0.AddMinutes(6), options);
        var inGap = ReplayMarketData.Quote(series, 1, TestMarket.T0.AddMinutes(11), options);

        Assert.Equal((0m, 700m, 900m), (first.BaseVolume, second.BaseVolume, inGap.BaseVolume));
        Assert.All(ReplayMarketData.ModelOrderBook(first, options, null).Asks, l => Assert.Equal(100m, l.Amount));
        Assert.All(ReplayMarketData.ModelOrderBook(second, options, null).Asks, l => Assert.Equal(7m, l.Amount));
        Assert.Equal(120m, inGap.Last);
    }

    [Fact]
    public void A_series_refuses_a_tick_that_is_not_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CandleSeries("ABC/USD", "5m", TestMarket.Trend(2, 100m, 1m), 0m));
}
