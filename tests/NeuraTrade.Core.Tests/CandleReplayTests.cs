using CsCheck;
using NeuraTrade.Core.Markets;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

public sealed class CandleReplayTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    // Rising: open 100, low 95, high 110, close 105.
    private static readonly Candle RisingBar = new(TestMarket.T0, 100m, 110m, 95m, 105m, 1m);

    // Falling: open 105, high 110, low 95, close 100.
    private static readonly Candle FallingBar = new(TestMarket.T0, 105m, 110m, 95m, 100m, 1m);

    [Fact]
    public void Price_within_a_rising_candle_runs_open_low_high_close()
    {
        Assert.Equal(100m, At(RisingBar, 0));
        Assert.Equal(97.5m, At(RisingBar, 50), 10);
        Assert.Equal(95m, At(RisingBar, 100), 10);
        Assert.Equal(102.5m, At(RisingBar, 150), 10);
        Assert.Equal(110m, At(RisingBar, 200), 10);
        Assert.Equal(107.5m, At(RisingBar, 250), 10);
        Assert.Equal(105m, At(RisingBar, 300));
    }

    [Fact]
    public void Price_within_a_falling_candle_runs_open_high_low_close()
    {
        Assert.Equal(105m, At(FallingBar, 0));
        Assert.Equal(110m, At(FallingBar, 100), 10);
        Assert.Equal(95m, At(FallingBar, 200), 10);
        Assert.Equal(100m, At(FallingBar, 300));
    }

    [Fact]
    public void Price_in_a_gap_after_the_candle_is_its_close_and_before_it_its_open()
    {
        Assert.Equal(105m, At(RisingBar, 3_600));
        Assert.Equal(100m, At(RisingBar, -30));
    }

    [Fact]
    public void Price_within_a_candle_never_leaves_its_range()
    {
        Gen.Select(Gen.Int[0, 400_000], Gen.Bool).Sample((ms, rising) =>
        {
            var bar = rising ? RisingBar : FallingBar;
            var price = CandleSeries.PriceWithin(bar, FiveMinutes, bar.OpenTime.AddMilliseconds(ms));
            Assert.InRange(price, bar.Low, bar.High);
        });
    }

    [Fact]
    public void IndexAt_finds_the_candle_in_force_across_gaps()
    {
        // Candles at 0, 5, 20, 25 minutes: a 10-minute hole after the second.
        var series = GappedSeries();

        Assert.Equal(0, series.IndexAt(TestMarket.T0));
        Assert.Equal(0, series.IndexAt(TestMarket.T0.AddMinutes(5).AddTicks(-1)));
        Assert.Equal(1, series.IndexAt(TestMarket.T0.AddMinutes(5)));
        Assert.Equal(1, series.IndexAt(TestMarket.T0.AddMinutes(12)));
        Assert.Equal(1, series.IndexAt(TestMarket.T0.AddMinutes(19.99)));
        Assert.Equal(2, series.IndexAt(TestMarket.T0.AddMinutes(20)));
        Assert.Equal(3, series.IndexAt(TestMarket.T0.AddMinutes(27)));
        Assert.Equal(3, series.IndexAt(TestMarket.T0.AddDays(1)));
        Assert.Equal(TestMarket.T0.AddMinutes(30), series.End);
    }

    [Fact]
    public void IndexAt_agrees_with_a_linear_scan()
    {
        var series = GappedSeries();
        Gen.Int[0, 30 * 60].Sample(seconds =>
        {
            var t = TestMarket.T0.AddSeconds(seconds);
            var expected = series.Candles.Select((c, i) => (c, i)).Last(x => x.c.OpenTime <= t).i;
            Assert.Equal(expected, series.IndexAt(t));
        });
    }

    [Fact]
    public void Timeframes_parse_to_their_interval_and_unknown_ones_are_rejected()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), CandleSeries.ParseTimeframe("1m"));
        Assert.Equal(TimeSpan.FromHours(4), CandleSeries.ParseTimeframe("4h"));
        Assert.Equal(TimeSpan.FromDays(1), CandleSeries.ParseTimeframe("1d"));
        Assert.Throws<FormatException>(() => CandleSeries.ParseTimeframe("5"));
        Assert.Throws<FormatException>(() => CandleSeries.ParseTimeframe("0m"));
        Assert.Throws<FormatException>(() => CandleSeries.ParseTimeframe("5w"));
    }

    [Fact]
    public void Load_reads_every_candle_file_as_a_symbol()
    {
        var replay = LoadReplay();

        Assert.Equal(TestMarket.BundledSymbols, replay.Symbols.Order(StringComparer.Ordinal));
        Assert.Equal(11, TestMarket.BundledSymbols.Count);
        Assert.True(replay.TryGetSeries("ETH/BTC", out var eth));
        Assert.Equal("5m", eth.Timeframe);
        Assert.Equal(5_760, eth.Candles.Count);
        Assert.False(replay.TryGetSeries("DOGE/USDT", out _));
    }

    [Fact]
    public void Load_rejects_a_missing_or_empty_folder()
    {
        Assert.Throws<DirectoryNotFoundException>(() => CandleReplay.Load(Path.Combine(AppContext.BaseDirectory, "no-such-folder")));

        var empty = Directory.CreateTempSubdirectory("neuratrade-empty-");
        try
        {
            Assert.Throws<InvalidDataException>(() => CandleReplay.Load(empty.FullName));
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_series_needs_two_candles_and_a_known_timeframe()
    {
        Assert.Throws<ArgumentException>(() => new CandleSeries("TST/USDT", "5m", TestMarket.Trend(1, 100m, 1m)));
        Assert.Throws<FormatException>(() => new CandleSeries("TST/USDT", "5x", TestMarket.Trend(2, 100m, 1m)));
    }

    internal static CandleReplay LoadReplay() => CandleReplay.Load(TestMarket.CandleFolder);

    private static decimal At(Candle candle, int seconds) =>
        CandleSeries.PriceWithin(candle, FiveMinutes, candle.OpenTime.AddSeconds(seconds));

    private static CandleSeries GappedSeries()
    {
        var trend = TestMarket.Trend(6, 100m, 1m);
        return new CandleSeries("TST/USDT", "5m", [trend[0], trend[1], trend[4], trend[5]]);
    }
}
