using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

/// <summary>Candles of a coarser timeframe made from the data's, as an exchange makes them, and what cannot be made.</summary>
public sealed class ResampledCandlesTests
{
    private static readonly DateTimeOffset Midnight = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("5m", "5m")]
    [InlineData("1m", "5m")]
    [InlineData("1m", "1h")]
    [InlineData("5m", "15m")]
    [InlineData("1h", "1d")]
    [InlineData("60m", "1h")]
    public void A_timeframe_equal_to_the_data_or_a_whole_multiple_of_it_can_be_served(string data, string wanted)
    {
        Assert.Null(ResampledCandles.Unservable(data, wanted));
    }

    [Theory]
    [InlineData("5m", "1m", "finer than the data")]
    [InlineData("1h", "30m", "finer than the data")]
    [InlineData("5m", "7m", "7m is not a whole multiple of 5m")]
    [InlineData("4h", "6h", "6h is not a whole multiple of 4h")]
    public void A_finer_timeframe_or_one_that_is_not_a_whole_multiple_cannot(string data, string wanted, string why)
    {
        Assert.Contains(why, ResampledCandles.Unservable(data, wanted), StringComparison.Ordinal);
    }

    /// <summary>
    /// Minutes 00:00–00:04 make the 00:00 candle; 00:05–00:09 has a gap at 00:07; 00:10–00:14 is empty (no candle);
    /// 00:15 alone makes the 00:15 candle. Figures by hand.
    /// </summary>
    [Fact]
    public void Minute_candles_make_five_minute_candles_by_epoch_buckets_and_a_bucket_without_candles_makes_none()
    {
        var minutes = new List<Candle>
        {
            M(0, 100m, 101m, 99.5m, 100.5m, 1m),
            M(1, 100.5m, 102m, 100.4m, 101.8m, 2m),
            M(2, 101.8m, 101.9m, 98m, 98.5m, 3m),
            M(3, 98.5m, 99m, 98.2m, 98.9m, 0.5m),
            M(4, 98.9m, 99.9m, 98.8m, 99.7m, 1.5m),
            M(5, 99.7m, 99.8m, 99m, 99.1m, 1m),
            M(6, 99.1m, 99.4m, 98.7m, 99.3m, 1m),
            M(8, 99.3m, 100.2m, 99.2m, 100.1m, 2m),
            M(9, 100.1m, 100.3m, 99.9m, 100m, 1m),
            M(15, 100m, 100.6m, 99.95m, 100.4m, 4m),
            M(16, 100.4m, 100.5m, 100.1m, 100.2m, 1m),
        };

        var five = new ResampledCandles(minutes, TimeSpan.FromMinutes(1), "5m");

        Assert.Equal(
            [
                new Candle(Midnight, 100m, 102m, 98m, 99.7m, 8m),
                new Candle(Midnight.AddMinutes(5), 99.7m, 100.3m, 98.7m, 100m, 5m),
                new Candle(Midnight.AddMinutes(15), 100m, 100.6m, 99.95m, 100.2m, 5m),
            ],
            five.Candles);
    }

    [Fact]
    public void A_five_minute_candle_is_read_only_once_its_five_minutes_are_over()
    {
        var minutes = Enumerable.Range(0, 12).Select(i => M(i, 100m + i, 100.5m + i, 99.5m + i, 100.2m + i, 1m)).ToList();
        var five = new ResampledCandles(minutes, TimeSpan.FromMinutes(1), "5m");

        Assert.Empty(five.Closed(Midnight.AddMinutes(5).AddTicks(-1), null, 100));
        Assert.Equal([Midnight], five.Closed(Midnight.AddMinutes(5), null, 100).Select(c => c.OpenTime));
        Assert.Equal([Midnight, Midnight.AddMinutes(5)], five.Closed(Midnight.AddMinutes(11), null, 100).Select(c => c.OpenTime));
        Assert.Equal([Midnight.AddMinutes(5)], five.Closed(Midnight.AddMinutes(11), null, 1).Select(c => c.OpenTime));
        Assert.Equal([Midnight.AddMinutes(5)], five.Closed(Midnight.AddMinutes(11), Midnight.AddMinutes(1), 100).Select(c => c.OpenTime));
    }

    /// <summary>
    /// 5m candles opening at :02 and :07 are not aligned to their own interval: the 15m bucket 00:00–00:15 holds the candles
    /// of 00:02, 00:07 and 00:12, and the last of them closes at 00:17. Before then the bucket would show data from after
    /// the reading instant, so it is read only from 00:17.
    /// </summary>
    [Fact]
    public void A_bucket_whose_last_candle_closes_after_the_bucket_is_read_only_once_that_candle_has_closed()
    {
        var candles = new[] { 2, 7, 12, 17 }.Select(m => new Candle(Midnight.AddMinutes(m), 10m, 11m, 9m, 10m + m, 1m)).ToList();
        var fifteen = new ResampledCandles(candles, TimeSpan.FromMinutes(5), "15m");

        Assert.Empty(fifteen.Closed(Midnight.AddMinutes(16), null, 10));
        var first = Assert.Single(fifteen.Closed(Midnight.AddMinutes(17), null, 10));
        Assert.Equal(new Candle(Midnight, 10m, 11m, 9m, 22m, 3m), first);
    }

    /// <summary>The replay serves its data's timeframe as before, a whole multiple of it made from the data, and refuses the rest.</summary>
    [Fact]
    public async Task The_replay_serves_coarser_candles_and_refuses_finer_ones_with_the_reason()
    {
        var minutes = Enumerable.Range(0, 30).Select(i => M(i, 100m + i, 100.5m + i, 99.5m + i, 100.2m + i, 1m)).ToList();
        var series = new CandleSeries("BTC/USDT", "1m", minutes);
        // The feed reads the data at its clock's time: 00:17:30.
        var feed = new ReplayMarketData(new CandleReplay([series]), Options.Create(new PaperExchangeOptions()), new FakeTimeProvider(Midnight.AddMinutes(17.5)));

        var one = await feed.FetchOhlcvAsync("BTC/USDT", "1m", null, 100, CancellationToken.None);
        var five = await feed.FetchOhlcvAsync("BTC/USDT", "5m", null, 100, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<ExchangeException>(() => feed.FetchOhlcvAsync("BTC/USDT", "30s", null, 100, CancellationToken.None));
        var wrongMultiple = await Assert.ThrowsAsync<ExchangeException>(() => new ReplayMarketData(new CandleReplay([new CandleSeries("BTC/USDT", "2m", minutes.Where((_, i) => i % 2 == 0).ToList())]), Options.Create(new PaperExchangeOptions()), new FakeTimeProvider(Midnight.AddMinutes(17.5)))
            .FetchOhlcvAsync("BTC/USDT", "5m", null, 100, CancellationToken.None));

        Assert.Equal(17, one.Count);
        Assert.Equal([Midnight, Midnight.AddMinutes(5), Midnight.AddMinutes(10)], five.Select(c => c.OpenTime));
        Assert.Equal(new Candle(Midnight.AddMinutes(10), 110m, 114.5m, 109.5m, 114.2m, 5m), five[^1]);
        Assert.Contains("unknown timeframe '30s'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("5m is not a whole multiple of 2m", wrongMultiple.Message, StringComparison.Ordinal);
    }

    private static Candle M(int minute, decimal open, decimal high, decimal low, decimal close, decimal volume) =>
        new(Midnight.AddMinutes(minute), open, high, low, close, volume);
}
