using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// Inside a candle the documented price path orders the barriers (docs/backtesting.md): open for a quarter, then the low
/// (candles an even number of intervals after the Unix epoch) or the high (odd ones), then the other extreme, then the
/// close. The entry fills at candle 0's close, ask 20000.005 (one 0.01 tick of spread); the brain's stop is 0.5% below it
/// (19900.004975), its target 0.5% above (20100.005025).
/// </summary>
public sealed class WithinCandleTests
{
    // 2024-03-01 00:00 UTC: 5,697,504 five-minute intervals after the epoch, an even number.
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(true, false, "take_profit", 20199.995)]
    [InlineData(false, false, "take_profit", 20199.995)]
    [InlineData(true, true, "stop_loss", 19799.995)]
    [InlineData(false, true, "stop_loss", 19799.995)]
    public async Task When_one_candle_reaches_both_barriers_the_path_decides_which_comes_first_whatever_the_close(bool rising, bool lowFirst, string reason, double bid)
    {
        // The wide candle spans ±1% and is the second of the run: odd (high first) from T0, even (low first) from T0 + 5m.
        var start = lowFirst ? T0.AddMinutes(5) : T0;
        var wide = Candle(start, 1, 20000m, 20200m, 19800m, rising ? 20100m : 19900m);
        var trade = await FirstTradeAsync(start, wide);

        // The extreme's quarter begins 75 s into the candle (exit check 3 of 12); the exit fills at its bid less slippage.
        Assert.Equal(reason, trade.ExitReason);
        Assert.Equal(start.AddMinutes(5).AddSeconds(75), trade.ExitTime);
        Assert.Equal(Math.Round((decimal)bid * 0.9998m, 8), trade.ExitPrice);
    }

    [Fact]
    public async Task A_target_reached_in_a_candle_that_spares_the_stop_is_taken()
    {
        var trade = await FirstTradeAsync(T0.AddMinutes(5), Candle(T0.AddMinutes(5), 1, 20000m, 20200m, 19990m, 20150m));
        Assert.Equal("take_profit", trade.ExitReason);
        Assert.True(trade.Pnl > 0m);
    }

    [Fact]
    public async Task A_candle_opening_through_the_stop_exits_at_the_open_not_at_the_later_low()
    {
        // Opens at 19850 (below the stop) and only later trades down to 19800: the open's quarter is checked first.
        var start = T0.AddMinutes(5);
        var trade = await FirstTradeAsync(start, Candle(start, 1, 19850m, 20050m, 19800m, 20000m));
        Assert.Equal("stop_loss", trade.ExitReason);
        Assert.Equal(start.AddMinutes(5).AddSeconds(25), trade.ExitTime);
        Assert.Equal(Math.Round(19849.995m * 0.9998m, 8), trade.ExitPrice);
    }

    private static async Task<BacktestTrade> FirstTradeAsync(DateTimeOffset start, Candle second)
    {
        Candle[] candles = [Candle(start, 0, 20000m, 20010m, 19990m, 20000m), second, Candle(start, 2, 20000m, 20010m, 19990m, 20000m), Candle(start, 3, 20000m, 20010m, 19990m, 20000m)];
        var report = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", candles)), new AlwaysBuy(), ScalpingProfiles.Conservative);
        var first = report.Trades[0];
        Assert.Equal(start.AddMinutes(5) - TimeSpan.FromMilliseconds(1), first.EntryTime);
        Assert.Equal(Math.Round(20000.005m * 1.0002m, 8), first.EntryPrice);
        return first;
    }

    private static Candle Candle(DateTimeOffset start, int i, decimal open, decimal high, decimal low, decimal close) => new(start.AddMinutes(5 * i), open, high, low, close, 100m);

    private sealed class AlwaysBuy : ITradingBrain
    {
        public string Model => "always-buy";

        public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            var ask = request.Market.Ticker.Ask;
            return Task.FromResult(new TradeProposal(TradeAction.Buy, 10m, ask, Math.Round(ask * 0.995m, 8), Math.Round(ask * 1.005m, 8), 0.8m, "test", "test", "test", Model, 0));
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
