using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Markets;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The paper replay's market clock: market time = anchor market + (wall − anchor wall) × speed, worked out by hand here;
/// one anchor shared by every process; no wrap at the end; a new lap moves market time forward by whole days.
/// </summary>
public sealed class ReplayClockTests
{
    private static readonly DateTimeOffset W0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    // Three 5m candles from 2024-05-01 00:00: the data ends at 00:15.
    private static readonly CandleSeries Three = new("TST/USDT", "5m", TestMarket.Trend(3, 100m, 1m));

    [Fact]
    public void Market_time_runs_speed_times_the_wall_time_since_the_anchor()
    {
        var wall = new FakeTimeProvider(W0.AddSeconds(100));
        var clock = Clock(wall, new InMemoryReplayAnchorStore(), speed: 2, anchor: W0);

        // 100 wall seconds after the anchor at ×2: 200 market seconds after the first candle.
        Assert.Equal(TestMarket.T0.AddSeconds(200), clock.GetUtcNow());
        wall.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(TestMarket.T0.AddSeconds(201), clock.GetUtcNow());

        // Timers and elapsed-time stamps stay the wall clock's.
        Assert.Equal(wall.GetTimestamp(), clock.GetTimestamp());
    }

    [Fact]
    public void A_second_process_reads_the_stored_anchor_and_shows_the_same_market_time()
    {
        var store = new InMemoryReplayAnchorStore();
        var wall = new FakeTimeProvider(W0);
        var first = Clock(wall, store, speed: 2);
        Assert.Equal(TestMarket.T0, first.GetUtcNow());

        wall.Advance(TimeSpan.FromSeconds(50));
        var second = Clock(wall, store, speed: 2);

        Assert.Equal(TestMarket.T0.AddSeconds(100), second.GetUtcNow());
        Assert.Equal(first.GetUtcNow(), second.GetUtcNow());
        Assert.Equal(W0, store.Get()!.Anchor.Wall);
    }

    [Fact]
    public async Task A_new_speed_re_anchors_without_a_jump_and_other_processes_follow_it()
    {
        var store = new InMemoryReplayAnchorStore();
        var wall = new FakeTimeProvider(W0);
        var slow = Clock(wall, store, speed: 2);
        Assert.Equal(TestMarket.T0, slow.GetUtcNow());

        wall.Advance(TimeSpan.FromSeconds(100));
        var fast = Clock(wall, store, speed: 4);
        Assert.Equal(TestMarket.T0.AddSeconds(200), fast.GetUtcNow());

        wall.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TestMarket.T0.AddSeconds(240), fast.GetUtcNow());
        await slow.RefreshAsync(CancellationToken.None);
        Assert.Equal(TestMarket.T0.AddSeconds(240), slow.GetUtcNow());
    }

    [Fact]
    public void Other_data_starts_a_new_replay()
    {
        var store = new InMemoryReplayAnchorStore();
        var wall = new FakeTimeProvider(W0);
        _ = Clock(wall, store, speed: 2).GetUtcNow();

        wall.Advance(TimeSpan.FromHours(1));
        var later = new CandleSeries("TST/USDT", "5m", TestMarket.Trend(3, 100m, 1m).Select(c => c with { OpenTime = c.OpenTime.AddDays(7) }).ToList());
        var clock = new ReplayClock(new CandleReplay([later]), ["TST/USDT"], store, new PaperExchangeOptions { ReplaySpeed = 2 }, new WallClock(wall), NullLogger<ReplayClock>.Instance);

        Assert.Equal(TestMarket.T0.AddDays(7), clock.GetUtcNow());
        Assert.Equal(W0.AddHours(1), store.Get()!.Anchor.Wall);
    }

    [Fact]
    public async Task The_replay_ends_instead_of_wrapping_and_a_loop_starts_a_new_lap_on_the_next_whole_day()
    {
        var store = new InMemoryReplayAnchorStore();
        var wall = new FakeTimeProvider(W0);
        var clock = Clock(wall, store, speed: 60, anchor: W0, loop: true);

        // 15 market minutes of data at ×60: finished 15 wall seconds in; 20 s in, the clock shows 00:20 and does not wrap.
        wall.Advance(TimeSpan.FromSeconds(20));
        var finished = clock.Current!;
        Assert.True(finished.Finished);
        Assert.Equal(TestMarket.T0.AddMinutes(20), finished.MarketTime);
        Assert.Equal(TestMarket.T0.AddMinutes(15), finished.DataEnd);
        Assert.Equal(TestMarket.T0.AddMinutes(15), clock.DataEnd("TST/USDT"));

        Assert.True(await clock.RestartAsync(CancellationToken.None));

        // Lap 1 shows the first candle at 2024-05-02 00:00: one whole day on, the data's time of day kept, never back.
        var lap = clock.Current!;
        Assert.Equal(1, lap.Lap);
        Assert.Equal(TestMarket.T0.AddDays(1), lap.MarketTime);
        Assert.Equal(TestMarket.T0.AddDays(1), lap.DataStart);
        Assert.Equal(TestMarket.T0.AddDays(1).AddMinutes(15), clock.DataEnd("TST/USDT"));
        Assert.Equal(W0.AddSeconds(20), lap.LapStartedAt);
        Assert.False(lap.Finished);
        Assert.Equal(TimeSpan.FromDays(1), clock.DataOffset);
        Assert.Equal(TestMarket.T0, clock.DataTime.GetUtcNow());

        // Not finished: a second restart does nothing.
        Assert.False(await clock.RestartAsync(CancellationToken.None));
        Assert.Equal(1, clock.Current!.Lap);
    }

    [Fact]
    public async Task Without_the_loop_a_finished_replay_stays_finished()
    {
        var wall = new FakeTimeProvider(W0.AddMinutes(1));
        var clock = Clock(wall, new InMemoryReplayAnchorStore(), speed: 60, anchor: W0);

        Assert.True(clock.Current!.Finished);
        Assert.False(await clock.RestartAsync(CancellationToken.None));
        Assert.Equal(0, clock.Current!.Lap);
        Assert.Equal(TestMarket.T0.AddHours(1), clock.GetUtcNow());
    }

    [Fact]
    public void All_series_share_the_clock_of_the_traded_symbols_and_each_ends_on_its_own()
    {
        // A second market whose data starts ten minutes later and runs five candles.
        var late = new CandleSeries("LTE/USDT", "5m", TestMarket.Trend(5, 50m, 1m).Select(c => c with { OpenTime = c.OpenTime.AddMinutes(10) }).ToList());
        var wall = new FakeTimeProvider(W0);
        var clock = new ReplayClock(new CandleReplay([Three, late]), ["TST/USDT", "LTE/USDT", "NONE/USDT"], new InMemoryReplayAnchorStore(),
            new PaperExchangeOptions { ReplaySpeed = 1 }, new WallClock(wall), NullLogger<ReplayClock>.Instance);

        Assert.Equal(TestMarket.T0, clock.GetUtcNow());
        Assert.Equal(TestMarket.T0.AddMinutes(15), clock.DataEnd("TST/USDT"));
        Assert.Equal(TestMarket.T0.AddMinutes(35), clock.DataEnd("LTE/USDT"));
        Assert.Null(clock.DataEnd("NONE/USDT"));
        Assert.Equal(TestMarket.T0.AddMinutes(35), clock.Current!.DataEnd);
    }

    [Fact]
    public async Task In_a_new_lap_the_feed_answers_in_market_time_with_the_data_of_the_first_lap()
    {
        var store = new InMemoryReplayAnchorStore();
        var wall = new FakeTimeProvider(W0);
        var clock = Clock(wall, store, speed: 60, anchor: W0, loop: true);
        var feed = new ReplayFeed(new ReplayMarketData(clock.Data, Options.Create(new PaperExchangeOptions()), clock.DataTime), clock);

        wall.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await clock.RestartAsync(CancellationToken.None));

        // 11 wall seconds into lap 1 at ×60: 11 market minutes, candles 0 and 1 closed.
        wall.Advance(TimeSpan.FromSeconds(11));
        var candles = await feed.FetchOhlcvAsync("TST/USDT", "5m", null, 10, CancellationToken.None);
        var ticker = await feed.FetchTickerAsync("TST/USDT", CancellationToken.None);

        Assert.Equal([TestMarket.T0.AddDays(1), TestMarket.T0.AddDays(1).AddMinutes(5)], candles.Select(c => c.OpenTime));
        Assert.Equal([Three.Candles[0].Close, Three.Candles[1].Close], candles.Select(c => c.Close));
        Assert.Equal(TestMarket.T0.AddDays(1).AddMinutes(11), ticker.Timestamp);
        Assert.InRange(ticker.Last, Three.Candles[2].Low, Three.Candles[2].High);
    }

    [Fact]
    public async Task Before_a_market_s_data_starts_the_feed_says_so()
    {
        var wall = new FakeTimeProvider(W0.AddSeconds(-10));
        var clock = Clock(wall, new InMemoryReplayAnchorStore(), speed: 2, anchor: W0);
        var feed = new ReplayFeed(new ReplayMarketData(clock.Data, Options.Create(new PaperExchangeOptions()), clock.DataTime), clock);

        var refused = await Assert.ThrowsAsync<NeuraTrade.Core.Trading.ExchangeException>(() => feed.FetchTickerAsync("TST/USDT", CancellationToken.None));
        Assert.Contains("no replay data yet", refused.Message, StringComparison.Ordinal);
    }

    private static ReplayClock Clock(FakeTimeProvider wall, IReplayAnchorStore store, double speed, DateTimeOffset? anchor = null, bool loop = false) =>
        new(new CandleReplay([Three]), ["TST/USDT"], store,
            new PaperExchangeOptions { ReplaySpeed = speed, ReplayAnchor = anchor?.ToString("O"), ReplayLoop = loop },
            new WallClock(wall), NullLogger<ReplayClock>.Instance);
}
