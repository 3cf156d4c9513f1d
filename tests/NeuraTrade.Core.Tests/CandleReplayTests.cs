using CsCheck;
using NeuraTrade.Core.Markets;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

public sealed class CandleReplayTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    // Open 100, high 110, low 95, close 105. T0 (2024-05-01 00:00 UTC) is 5,715,072 five-minute intervals after the Unix
    // epoch, an even number: its path takes the low first. The candle after it (odd) takes the high first.
    private static readonly Candle EvenBar = new(TestMarket.T0, 100m, 110m, 95m, 105m, 1m);
    private static readonly Candle OddBar = EvenBar with { OpenTime = TestMarket.T0.AddMinutes(5) };

    [Fact]
    public void Price_within_an_even_candle_steps_open_low_high_close_a_quarter_each()
    {
        Assert.Equal(100m, At(EvenBar, 0));
        Assert.Equal(100m, At(EvenBar, 74_999));
        Assert.Equal(95m, At(EvenBar, 75_000));
        Assert.Equal(95m, At(EvenBar, 149_999));
        Assert.Equal(110m, At(EvenBar, 150_000));
        Assert.Equal(110m, At(EvenBar, 224_999));
        Assert.Equal(105m, At(EvenBar, 225_000));
        Assert.Equal(105m, At(EvenBar, 299_999));
    }

    [Fact]
    public void Price_within_an_odd_candle_steps_open_high_low_close_a_quarter_each()
    {
        Assert.Equal(100m, At(OddBar, 74_999));
        Assert.Equal(110m, At(OddBar, 75_000));
        Assert.Equal(95m, At(OddBar, 150_000));
        Assert.Equal(105m, At(OddBar, 225_000));
    }

    [Fact]
    public void The_order_of_the_extremes_follows_the_clock_not_the_candles_direction()
    {
        var falling = EvenBar with { Close = 96m };
        Assert.True(CandleSeries.LowFirst(EvenBar, FiveMinutes));
        Assert.True(CandleSeries.LowFirst(falling, FiveMinutes));
        Assert.False(CandleSeries.LowFirst(OddBar, FiveMinutes));
        Assert.False(CandleSeries.LowFirst(falling with { OpenTime = OddBar.OpenTime }, FiveMinutes));

        // Minute candles: the one opening at the epoch takes the low first, the next the high.
        var minute = TimeSpan.FromMinutes(1);
        Assert.True(CandleSeries.LowFirst(EvenBar with { OpenTime = DateTimeOffset.UnixEpoch }, minute));
        Assert.False(CandleSeries.LowFirst(EvenBar with { OpenTime = DateTimeOffset.UnixEpoch.AddMinutes(1) }, minute));
        Assert.True(CandleSeries.LowFirst(EvenBar with { OpenTime = DateTimeOffset.UnixEpoch.AddMinutes(2) }, minute));
    }

    [Fact]
    public void The_candle_so_far_spans_only_the_prices_the_path_has_passed()
    {
        Assert.Equal((100m, 100m), Extremes(EvenBar, 74_999));
        Assert.Equal((100m, 95m), Extremes(EvenBar, 75_000));
        Assert.Equal((110m, 95m), Extremes(EvenBar, 150_000));
        Assert.Equal((110m, 95m), Extremes(EvenBar, 299_999));
        Assert.Equal((110m, 100m), Extremes(OddBar, 75_000));
        Assert.Equal((110m, 95m), Extremes(OddBar, 150_000));
    }

    [Fact]
    public void Price_in_a_gap_after_the_candle_is_its_close_and_before_it_its_open()
    {
        Assert.Equal(105m, At(EvenBar, 3_600_000));
        Assert.Equal((110m, 95m), Extremes(EvenBar, 3_600_000));
        Assert.Equal(100m, At(EvenBar, -30_000));
    }

    [Fact]
    public void Price_within_a_candle_is_one_of_its_four_prices_and_inside_the_range_so_far()
    {
        Gen.Select(Gen.Int[0, 400_000], Gen.Bool).Sample((ms, even) =>
        {
            var bar = even ? EvenBar : OddBar;
            var price = At(bar, ms);
            var (high, low) = Extremes(bar, ms);
            Assert.Contains(price, new[] { bar.Open, bar.High, bar.Low, bar.Close });
            Assert.InRange(price, low, high);
            Assert.InRange(low, bar.Low, bar.High);
            Assert.InRange(high, bar.Low, bar.High);
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

    private static decimal At(Candle candle, int milliseconds) =>
        CandleSeries.PriceWithin(candle, FiveMinutes, candle.OpenTime.AddMilliseconds(milliseconds));

    private static (decimal High, decimal Low) Extremes(Candle candle, int milliseconds) =>
        CandleSeries.ExtremesWithin(candle, FiveMinutes, candle.OpenTime.AddMilliseconds(milliseconds));

    private static CandleSeries GappedSeries()
    {
        var trend = TestMarket.Trend(6, 100m, 1m);
        return new CandleSeries("TST/USDT", "5m", [trend[0], trend[1], trend[4], trend[5]]);
    }
}
