using NeuraTrade.Core.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting.Tests;

public sealed class WithinCandleTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task When_one_candle_reaches_both_target_and_stop_the_stop_loss_wins(bool rising)
    {
        // The entry fills at candle 0's close (about 20000, stop −0.5%, target +0.5%); candle 1 spans ±1%.
        var wide = rising
            ? Candle(1, 20000m, 20200m, 19800m, 20100m)
            : Candle(1, 20000m, 20200m, 19800m, 19900m);
        var trade = await FirstTradeAsync(wide);
        Assert.Equal("stop_loss", trade.ExitReason);
        Assert.True(trade.Pnl < 0m);
        Assert.True(trade.ExitTime < T0.AddMinutes(10));
    }

    [Fact]
    public async Task A_target_reached_in_a_candle_that_spares_the_stop_is_taken()
    {
        var trade = await FirstTradeAsync(Candle(1, 20000m, 20200m, 19990m, 20150m));
        Assert.Equal("take_profit", trade.ExitReason);
        Assert.True(trade.Pnl > 0m);
    }

    private static async Task<BacktestTrade> FirstTradeAsync(Candle second)
    {
        Candle[] candles = [Candle(0, 20000m, 20010m, 19990m, 20000m), second, Candle(2, 20000m, 20010m, 19990m, 20000m), Candle(3, 20000m, 20010m, 19990m, 20000m)];
        var report = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", candles)), new AlwaysBuy(), ScalpingProfiles.Conservative);
        var first = report.Trades[0];
        Assert.Equal(T0.AddMinutes(5) - TimeSpan.FromMilliseconds(1), first.EntryTime);
        return first;
    }

    private static Candle Candle(int i, decimal open, decimal high, decimal low, decimal close) => new(T0.AddMinutes(5 * i), open, high, low, close, 100m);

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
