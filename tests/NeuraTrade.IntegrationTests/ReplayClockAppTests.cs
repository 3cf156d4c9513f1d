using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Paper trading on the replay runs on one market clock: every process agrees on it through the
/// anchor stored in Table Storage, the limits run on it, and at the end of the data the replay stops (or, looping,
/// starts a new lap) instead of wrapping into a price jump no market made. Figures from the bundled file, read here.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReplayClockAppTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Processes_sharing_storage_show_the_same_market_time_from_the_stored_anchor()
    {
        var (first, _, _) = BtcData();
        var settings = new Dictionary<string, string?>
        {
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
            ["Exchange:ReplayAnchor"] = null,
            ["Scalping:Symbols"] = "BTC/USDT",
        };

        // Without a configured anchor the first start shows the first candle plus the brain's history (60 candles of 5
        // minutes: 5 hours), so its first scans already have the indicators' candles.
        await using var one = TestApp.Create(azurite, Start, settings);
        var warmedUp = first.AddHours(5);
        Assert.Equal(warmedUp, one.Market.GetUtcNow());

        // Started ten wall minutes later, the second process reads the anchor the first one stored: 300 market minutes on.
        await using var two = TestApp.Create(azurite, Start.AddMinutes(10), settings);
        Assert.Equal(warmedUp.AddMinutes(300), two.Market.GetUtcNow());
        one.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(two.Market.GetUtcNow(), one.Market.GetUtcNow());

        // And both quote the same market.
        var a = await one.Get<IExchange>().FetchTickerAsync("BTC/USDT", CancellationToken.None);
        var b = await two.Get<IExchange>().FetchTickerAsync("BTC/USDT", CancellationToken.None);
        Assert.Equal(a, b);
    }

    [Fact]
    public async Task At_the_end_of_the_data_an_open_position_closes_at_the_last_price_and_nothing_is_entered()
    {
        var logs = new CapturedLogs();
        await using var app = await NearTheEndAsync(logs, loop: false);
        var (_, end, lastClose) = BtcData();

        // 61 wall seconds: 30.5 market minutes, past the last candle.
        app.Time.Advance(TimeSpan.FromSeconds(61));
        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        var again = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        var closed = Assert.Single(Assert.Single(report.Symbols).Closed);
        Assert.Equal(ExitReason.EndOfData, closed.ExitReason);
        Assert.InRange(closed.ExitPrice!.Value, lastClose * 0.999m, lastClose);
        Assert.Equal(0, report.Entries + again.Entries);
        Assert.Contains("replay finished", again.Symbols[0].Outcome, StringComparison.Ordinal);
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        Assert.Single(logs.AtLeast(LogLevel.Warning), e => e.Text.StartsWith("Replay finished", StringComparison.Ordinal));

        // The status shows market time beside wall time, and that the replay has finished.
        var functions = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);
        var status = Assert.IsType<ContentResult>(await functions.Status(new DefaultHttpContext().Request, CancellationToken.None));
        var replay = JsonDocument.Parse(status.Content!).RootElement.GetProperty("replay");
        Assert.Equal(app.Time.GetUtcNow(), replay.GetProperty("wall_time").GetDateTimeOffset());
        Assert.Equal(TestApp.MarketTimeAt(app.Time.GetUtcNow(), Anchor), replay.GetProperty("market_time").GetDateTimeOffset());
        Assert.Equal(end, replay.GetProperty("data_end").GetDateTimeOffset());
        Assert.True(replay.GetProperty("finished").GetBoolean());
        Assert.Equal(0, replay.GetProperty("lap").GetInt32());
    }

    [Fact]
    public async Task With_the_loop_the_replay_starts_again_from_the_first_candle_once_positions_are_closed_and_time_goes_on()
    {
        await using var app = await NearTheEndAsync(new CapturedLogs(), loop: true);
        var (first, _, _) = BtcData();
        var candles = NeuraTrade.Core.Markets.CandleCsv.Read(Path.Combine(AppContext.BaseDirectory, "data", "candles", "BTC_USDT-5m.csv"));

        app.Time.Advance(TimeSpan.FromSeconds(61));
        var closing = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        Assert.Equal(ExitReason.EndOfData, Assert.Single(Assert.Single(closing.Symbols).Closed).ExitReason);
        var before = app.Market.GetUtcNow();

        // The next scan finds every position closed and starts lap 1 on the next whole day after the end.
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        var replay = app.Get<IMarketReplay>().Current!;
        Assert.Equal(1, replay.Lap);
        Assert.False(replay.Finished);
        var days = Math.Ceiling((before.AddSeconds(30) - first).TotalDays);
        Assert.Equal(first.AddDays(days), replay.DataStart);
        Assert.True(app.Market.GetUtcNow() > before);

        // Its prices are the start of the data's again (the wrap's 24% jump is gone: a new lap, not a continuation): the
        // candle five hours in, after the brain's history (60 candles of 5 minutes) that each lap starts with.
        var ticker = await app.Get<IExchange>().FetchTickerAsync("BTC/USDT", CancellationToken.None);
        var resumed = candles.Last(c => c.OpenTime <= first.AddHours(5));
        Assert.InRange(ticker.Last, resumed.Low, resumed.High);
        Assert.Equal(replay.DataStart.AddHours(5), app.Market.GetUtcNow());
        Assert.Equal(app.Market.GetUtcNow(), ticker.Timestamp);
    }

    private static readonly TimeSpan BeforeEnd = TimeSpan.FromMinutes(30);

    /// <summary>The anchor that shows 30 market minutes before the end of the BTC/USDT data at <see cref="Start"/> (×30).</summary>
    private static DateTimeOffset Anchor
    {
        get
        {
            var (first, end, _) = BtcData();
            return Start - ((end - BeforeEnd - first) / 30);
        }
    }

    /// <summary>An app 30 market minutes before the end of the data, holding a long bought on the paper venue (hold time one hour).</summary>
    private async Task<TestApp> NearTheEndAsync(CapturedLogs logs, bool loop)
    {
        var (_, end, _) = BtcData();
        var app = TestApp.Create(azurite, Start, new Dictionary<string, string?>
        {
            ["Exchange:ReplayAnchor"] = Anchor.ToString("O"),
            ["Exchange:ReplayLoop"] = loop ? "true" : "false",
            ["Scalping:Symbols"] = "BTC/USDT",
            ["Scalping:PositionHoldTime"] = "01:00:00",
        }, logs);
        Assert.Equal(end - BeforeEnd, app.Market.GetUtcNow());

        var order = await app.Get<IExchange>().CreateOrderAsync(
            new OrderRequest("BTC/USDT", OrderType.Market, OrderSide.Buy, 0.001m, null, ClientOrderIds.Entry("end-of-data")), CancellationToken.None);
        var now = app.Market.GetUtcNow();
        var held = order.Filled - order.Fee;
        await app.Get<IPositionStore>().SaveOpenAsync(
            new Position("pos-end-of-data", "BTC/USDT", PositionSide.Long, held, order.Average, 0m, order.Average * 0.5m, order.Average * 2m, now, order.Id, "end-of-data", now),
            CancellationToken.None);
        return app;
    }

    /// <summary>The bundled BTC/USDT file read by hand: first candle, end of the last candle, last close.</summary>
    private static (DateTimeOffset First, DateTimeOffset End, decimal LastClose) BtcData()
    {
        var rows = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "candles", "BTC_USDT-5m.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var first = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(rows[0][0], CultureInfo.InvariantCulture));
        var last = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(rows[^1][0], CultureInfo.InvariantCulture));
        return (first, last.AddMinutes(5), decimal.Parse(rows[^1][4], NumberStyles.Float, CultureInfo.InvariantCulture));
    }
}
