using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Tests;

public sealed class RulesBrainTests
{
    private static readonly PortfolioSnapshot Portfolio = new("USDT", 10_000m, 0, false, 0m);

    [Fact]
    public void Snapshot_computes_momentum_spread_and_volatility_from_candles_and_ticker()
    {
        var candles = TestMarket.Trend(30, 100m, 0.5m);
        var ticker = TestMarket.TickerAround(115m, 0.02m);

        var snapshot = MarketSnapshot.Create(ticker, candles);

        // Closes 113.5 -> 115 over the last three bars; every true range is 0.5 + 2 * 0.1.
        Assert.Equal("BTC/USDT", snapshot.Symbol);
        Assert.Equal(Math.Round(1.5m / 113.5m * 100m, 8), snapshot.Indicators.MomentumPercent);
        Assert.Equal(0.02m, snapshot.Indicators.SpreadPercent);
        Assert.Equal(0.7m, snapshot.Indicators.Atr);
        Assert.Equal(Math.Round(0.7m / 115m * 100m, 8), snapshot.Indicators.VolatilityPercent);
        Assert.Equal(100m, snapshot.Indicators.Rsi);
        Assert.True(snapshot.Indicators.EmaFast > snapshot.Indicators.EmaSlow);
    }

    [Fact]
    public void Snapshot_leaves_indicators_null_when_history_is_short()
    {
        var snapshot = MarketSnapshot.Create(TestMarket.TickerAround(101m, 0.02m), TestMarket.Trend(10, 100m, 0.1m));

        Assert.NotNull(snapshot.Indicators.EmaFast);
        Assert.Null(snapshot.Indicators.EmaSlow);
        Assert.Null(snapshot.Indicators.Atr);
        Assert.Null(snapshot.Indicators.Rsi);
        Assert.Null(snapshot.Indicators.VolatilityPercent);
    }

    [Fact]
    public async Task Rising_market_yields_a_buy_with_stop_below_ask_below_target()
    {
        var candles = TestMarket.Trend(60, 100m, 0.5m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);

        var proposal = await ProposeAsync(market);

        Assert.Equal(TradeAction.Buy, proposal.Action);
        Assert.Equal(market.Ticker.Ask, proposal.EntryPrice);
        Assert.True(proposal.StopLoss < proposal.EntryPrice && proposal.EntryPrice < proposal.TakeProfit);
        Assert.InRange(proposal.Confidence, 0.55m, 0.95m);
        Assert.Equal(10m, proposal.SizePercent);
        Assert.Equal(RulesBrain.ModelName, proposal.ModelUsed);

        // Stop one ATR below, target 1.5 ATR above the entry.
        var atr = market.Indicators.Atr!.Value;
        Assert.Equal(market.Ticker.Ask - atr, proposal.StopLoss);
        Assert.Equal(market.Ticker.Ask + (1.5m * atr), proposal.TakeProfit);
    }

    [Fact]
    public async Task Stronger_trend_gives_higher_confidence_capped_at_095()
    {
        // Gentle: EMA gap of about one ATR. Steep: several ATRs.
        var gentle = TestMarket.Trend(60, 100m, 0.1m, wick: 0.25m);
        var steep = TestMarket.Trend(60, 100m, 0.5m);

        var gentleProposal = await ProposeAsync(MarketSnapshot.Create(TestMarket.TickerAround(gentle[^1].Close, 0.02m), gentle));
        var steepProposal = await ProposeAsync(MarketSnapshot.Create(TestMarket.TickerAround(steep[^1].Close, 0.02m), steep));

        Assert.Equal(TradeAction.Buy, gentleProposal.Action);
        Assert.Equal(TradeAction.Buy, steepProposal.Action);
        Assert.InRange(gentleProposal.Confidence, 0.56m, 0.94m);
        Assert.Equal(0.95m, steepProposal.Confidence);
    }

    [Fact]
    public async Task Falling_market_holds_with_a_reason()
    {
        var candles = TestMarket.Trend(60, 130m, -0.5m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);

        var proposal = await ProposeAsync(market);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Null(proposal.EntryPrice);
        Assert.Equal(0m, proposal.SizePercent);
        Assert.Contains("is not above EMA21", proposal.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_few_candles_holds()
    {
        var candles = TestMarket.Trend(20, 100m, 0.5m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);

        var proposal = await ProposeAsync(market);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Contains("Not enough closed candles", proposal.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wide_spread_holds_even_in_an_uptrend()
    {
        var candles = TestMarket.Trend(60, 100m, 0.5m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.2m), candles);

        var proposal = await ProposeAsync(market);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.StartsWith("Spread", proposal.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quiet_market_below_minimum_volatility_holds()
    {
        var candles = TestMarket.Trend(60, 100m, 0.001m, wick: 0.001m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);

        var proposal = await ProposeAsync(market);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.StartsWith("Volatility", proposal.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_proposal_over_real_BTC_USDT_windows_passes_the_validator()
    {
        var candles = CandleCsv.Read(TestMarket.CandleFile("BTC_USDT-5m.csv")).ToArray();
        var brain = new RulesBrain();

        // Confidence threshold off: this checks validity (sides, band, size, range), not the policy floor.
        var validator = new DecisionValidator(Options.Create(new BrainOptions { MinConfidence = 0m }));
        int buys = 0, holds = 0;
        var invalid = new List<string>();
        const int window = 60;
        for (var end = window; end <= candles.Length; end++)
        {
            var history = new ArraySegment<Candle>(candles, end - window, window);
            var last = history[^1];
            var ticker = TestMarket.TickerAround(last.Close, 0.02m) with { Timestamp = last.OpenTime.AddMinutes(5) };
            var market = MarketSnapshot.Create(ticker, history);

            var proposal = await brain.ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None);
            var decision = validator.Validate(proposal, market, TradingStrategy.Scalping, DecisionSource.Scan, $"d{end}", ticker.Timestamp);

            switch (proposal.Action)
            {
                case TradeAction.Buy:
                    buys++;
                    if (decision.Action != TradeAction.Buy)
                    {
                        invalid.Add($"{last.OpenTime:O}: {decision.HoldReason}");
                    }

                    break;
                case TradeAction.Hold:
                    holds++;
                    Assert.False(string.IsNullOrWhiteSpace(proposal.Reasoning));
                    break;
                default:
                    invalid.Add($"{last.OpenTime:O}: unexpected {proposal.Action}");
                    break;
            }
        }

        Assert.True(invalid.Count == 0, $"{invalid.Count} invalid proposals, e.g. {string.Join("; ", invalid.Take(3))}");
        Assert.True(buys > 0, "no BUY over the whole file");
        Assert.True(holds > 0, "no HOLD over the whole file");
    }

    private static Task<TradeProposal> ProposeAsync(MarketSnapshot market) =>
        new RulesBrain().ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None);
}
