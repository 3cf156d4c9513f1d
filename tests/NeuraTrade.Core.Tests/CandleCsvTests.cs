using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Tests;

public sealed class CandleCsvTests
{
    [Fact]
    public void Reads_every_row_of_the_bundled_BTC_USDT_file()
    {
        var candles = CandleCsv.Read(TestMarket.CandleFile("BTC_USDT-5m.csv"));

        Assert.Equal(10_999, candles.Count);
        Assert.Equal(
            new Candle(DateTimeOffset.FromUnixTimeMilliseconds(1672677900000), 16727.3m, 16728.8m, 16726.0m, 16726.1m, 691.508m),
            candles[0]);
        Assert.Equal(
            new Candle(DateTimeOffset.FromUnixTimeMilliseconds(1675977300000), 21918.0m, 21960.7m, 21914.0m, 21925.7m, 2058.74m),
            candles[^1]);
        Assert.Equal(TimeSpan.Zero, candles[0].OpenTime.Offset);
    }

    [Fact]
    public void Bundled_BTC_USDT_candles_are_five_minutes_apart_and_consistent()
    {
        var candles = CandleCsv.Read(TestMarket.CandleFile("BTC_USDT-5m.csv"));

        for (var i = 1; i < candles.Count; i++)
        {
            Assert.Equal(TimeSpan.FromMinutes(5), candles[i].OpenTime - candles[i - 1].OpenTime);
        }

        Assert.All(candles, c => Assert.True(c.Low <= Math.Min(c.Open, c.Close) && c.High >= Math.Max(c.Open, c.Close), $"bad bar at {c.OpenTime}"));
    }

    [Fact]
    public void Parses_exponent_notation()
    {
        const string text = """
            timestamp,open,high,low,close,volume
            1515560100000,5.33E-05,6e-5,5.0E-05,5.5E-05,1.2E+03
            """;

        var candle = Assert.Single(CandleCsv.Read(new StringReader(text), "inline.csv"));

        Assert.Equal(0.0000533m, candle.Open);
        Assert.Equal(0.00006m, candle.High);
        Assert.Equal(0.00005m, candle.Low);
        Assert.Equal(0.000055m, candle.Close);
        Assert.Equal(1200m, candle.Volume);
        Assert.Equal(new DateTimeOffset(2018, 1, 10, 4, 55, 0, TimeSpan.Zero), candle.OpenTime);
    }

    [Fact]
    public void Skips_blank_lines_and_accepts_a_file_without_header()
    {
        const string text = "1000,1,2,0.5,1.5,10\n\n301000,1.5,2,1,1.8,12\n";

        var candles = CandleCsv.Read(new StringReader(text), "inline.csv");

        Assert.Equal(2, candles.Count);
        Assert.Equal(1.8m, candles[1].Close);
    }

    [Theory]
    [InlineData("1000,1,2,0.5")]
    [InlineData("1000,1,abc,0.5,1.5,10")]
    [InlineData("yesterday,1,2,0.5,1.5,10")]
    public void Malformed_line_throws_FormatException_naming_the_line(string badLine)
    {
        var text = $"timestamp,open,high,low,close,volume\n0,1,2,0.5,1.5,10\n{badLine}\n";

        var ex = Assert.Throws<FormatException>(() => CandleCsv.Read(new StringReader(text), "bad.csv"));

        Assert.Contains("bad.csv:3", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300000)]
    [InlineData(0)]
    public void Non_increasing_timestamp_throws_FormatException_naming_the_line(long secondTimestamp)
    {
        var text = $"timestamp,open,high,low,close,volume\n300000,1,2,0.5,1.5,10\n{secondTimestamp},1,2,0.5,1.5,10\n";

        var ex = Assert.Throws<FormatException>(() => CandleCsv.Read(new StringReader(text), "order.csv"));

        Assert.Contains("order.csv:3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("increase", ex.Message, StringComparison.Ordinal);
    }
}
