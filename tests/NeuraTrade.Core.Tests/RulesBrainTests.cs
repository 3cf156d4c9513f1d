using Microsoft.Extensions.Options;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

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

    /// <summary>
    /// The barriers follow the hold: σ = ATR × √(hold in candles). Four candles: σ = 2 ATR, so the stop is 2 ATR below and
    /// the target 3 ATR above; a 2-minute hold on 1m candles: √2 = 1.4142 (to 4 decimals). A hold of a candle or less keeps
    /// one ATR (a shorter hold is refused at start). ATR 0.7 here (every true range 0.5 + 2 × 0.1).
    /// </summary>
    [Theory]
    [InlineData(4.0, 1.4, 2.1)]
    [InlineData(2.0, 0.98994, 1.48491)]
    [InlineData(1.0, 0.7, 1.05)]
    [InlineData(0.4, 0.7, 1.05)]
    public async Task The_barriers_are_the_atr_scaled_to_the_hold(double horizon, double stopDistance, double targetDistance)
    {
        var candles = TestMarket.Trend(60, 100m, 0.5m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);
        Assert.Equal(0.7m, market.Indicators.Atr);

        var proposal = await new RulesBrain(null, (decimal)horizon).ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None);

        Assert.Equal(TradeAction.Buy, proposal.Action);
        Assert.Equal(market.Ticker.Ask - (decimal)stopDistance, proposal.StopLoss);
        Assert.Equal(market.Ticker.Ask + (decimal)targetDistance, proposal.TakeProfit);
    }

    [Fact]
    public async Task An_arbitrage_request_without_venue_books_holds_and_never_gives_the_scalping_read()
    {
        // The same uptrend the scalping rule buys (the test above): the arbitrage answer must not be that long.
        var candles = TestMarket.Trend(60, 100m, 0.5m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);
        var brain = new RulesBrain();
        Assert.Equal(TradeAction.Buy, (await brain.ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None)).Action);

        var proposal = await brain.ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Arbitrage), CancellationToken.None);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.Equal(RulesBrain.NoVenuesReason, proposal.Reasoning);
        Assert.DoesNotContain("EMA", proposal.Reasoning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_arbitrage_request_with_venue_books_takes_the_opportunity_above_the_threshold_and_holds_with_the_numbers_below_it()
    {
        var market = MarketSnapshot.Create(TestMarket.TickerAround(100m, 0.02m), TestMarket.Trend(60, 100m, -0.1m));
        var options = new ArbitrageOptions { MinNetEdgePercent = 0.02m, SafetyBufferPercent = 0m, MaxNotional = 100m };
        VenueBook Venue(string name, decimal bid, decimal ask) => new(name, new OrderBook("BTC/USDT", [new(bid, 10m)], [new(ask, 10m)], null, null), 0.1m, 0m, 1m, 10m, 10_000m);
        var brain = new RulesBrain();

        // 100.5 × 0.999 − 100 × 1.001 = 0.2995 on 100: 0.2995%.
        var wide = OpportunityFinder.Scan([Venue("a", 99.9m, 100m), Venue("b", 100.5m, 100.6m)], options);
        var take = await brain.ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Arbitrage) { Arbitrage = wide }, CancellationToken.None);
        Assert.Equal(TradeAction.Buy, take.Action);
        Assert.Equal((100m, 100.5m), (take.EntryPrice, take.TakeProfit));
        Assert.StartsWith("Arbitrage: buy BTC/USDT on a at 100, sell BTC/USDT on b at 100.5: net edge 0.2995%", take.Reasoning, StringComparison.Ordinal);

        // 100.15 × 0.999 − 100.1 = −0.05015 on 100.
        var narrow = OpportunityFinder.Scan([Venue("a", 99.9m, 100m), Venue("b", 100.15m, 100.25m)], options);
        var hold = await brain.ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Arbitrage) { Arbitrage = narrow }, CancellationToken.None);
        Assert.Equal(TradeAction.Hold, hold.Action);
        Assert.StartsWith("No arbitrage worth trading: best is buy BTC/USDT on a at 100, sell BTC/USDT on b at 100.15: net edge -0.0502%", hold.Reasoning, StringComparison.Ordinal);
        Assert.DoesNotContain("EMA", hold.Reasoning, StringComparison.Ordinal);
        Assert.Contains("\"net_edge_pct\":-0.0502", PromptBuilder.UserPrompt(new BrainRequest(market, Portfolio, TradingStrategy.Arbitrage) { Arbitrage = narrow }), StringComparison.Ordinal);
    }

    /// <summary>
    /// A target that clears the round trip over a longer hold may not over a short one: ATR 0.06 (every range 0.04 + 2 × 0.01)
    /// on a price near 102.4, with the default costs (0.1% fee and 0.02% slippage per leg and the spread, 0.24% and a hair,
    /// plus a 0.02% net edge), holds at one candle (1.5 ATR = 0.088%) and at four (3 ATR = 0.176%), and enters at 16
    /// candles (6 ATR = 0.35%).
    /// </summary>
    [Theory]
    [InlineData(1.0, false)]
    [InlineData(4.0, false)]
    [InlineData(16.0, true)]
    public async Task A_longer_hold_lets_a_quiet_market_clear_the_costs(double horizon, bool enters)
    {
        var candles = TestMarket.Trend(60, 100m, 0.04m, 0.01m);
        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.0002m), candles);
        Assert.Equal(0.06m, market.Indicators.Atr);

        var proposal = await new RulesBrain(null, (decimal)horizon).ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None);

        Assert.Equal(enters ? TradeAction.Buy : TradeAction.Hold, proposal.Action);
        if (!enters)
        {
            Assert.Contains("round trip costs", proposal.Reasoning, StringComparison.Ordinal);
        }
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

    /// <summary>
    /// A HOLD's confidence is how sure the rule is that staying out is right, apart from the setup's strength: a strong
    /// uptrend whose last three candles dip is the setup it comes nearest to taking, so it is the least sure of holding
    /// (0.55), while the setup strength says the setup was strong (1: EMA9 at least 2 ATR above EMA21).
    /// </summary>
    [Fact]
    public async Task A_hold_over_a_strong_unconfirmed_uptrend_is_the_least_sure_hold_and_says_the_setup_was_strong()
    {
        var candles = TestMarket.Trend(60, 100m, 0.5m);
        var open = candles[^1].Close;
        for (var k = 0; k < 3; k++)
        {
            var close = open - 0.2m;
            candles.Add(new Candle(candles[^1].OpenTime.AddMinutes(5), open, open + 0.1m, close - 0.1m, close, 10m));
            open = close;
        }

        var market = MarketSnapshot.Create(TestMarket.TickerAround(candles[^1].Close, 0.02m), candles);
        var i = market.Indicators;

        var proposal = await ProposeAsync(market);

        Assert.Equal(TradeAction.Hold, proposal.Action);
        Assert.StartsWith("Uptrend but", proposal.Reasoning, StringComparison.Ordinal);
        Assert.True((i.EmaFast - i.EmaSlow) / i.Atr >= 2m, "the case needs a gap of at least 2 ATR");
        Assert.Equal(1m, proposal.SetupStrength);
        Assert.Equal(0.55m, proposal.Confidence);
    }

    [Fact]
    public async Task A_veto_hold_is_the_surest_and_the_setup_strength_still_says_what_was_seen()
    {
        var falling = TestMarket.Trend(60, 130m, -0.5m);
        var rising = TestMarket.Trend(60, 100m, 0.5m);

        var downtrend = await ProposeAsync(MarketSnapshot.Create(TestMarket.TickerAround(falling[^1].Close, 0.02m), falling));
        var wideSpread = await ProposeAsync(MarketSnapshot.Create(TestMarket.TickerAround(rising[^1].Close, 0.2m), rising));
        var tooShort = await ProposeAsync(MarketSnapshot.Create(TestMarket.TickerAround(rising[19].Close, 0.02m), rising.Take(20).ToList()));

        // No long setup at all in a downtrend: strength 0, and holding is as sure as the rule gets.
        Assert.Equal((TradeAction.Hold, 0.95m, (decimal?)0m), (downtrend.Action, downtrend.Confidence, downtrend.SetupStrength));

        // A strong uptrend vetoed by the spread: the setup was strong, holding is still sure.
        Assert.Equal((TradeAction.Hold, 0.95m, (decimal?)1m), (wideSpread.Action, wideSpread.Confidence, wideSpread.SetupStrength));

        // Too few candles to judge: no confidence, no strength.
        Assert.Equal((TradeAction.Hold, 0m, (decimal?)null), (tooShort.Action, tooShort.Confidence, tooShort.SetupStrength));
    }

    /// <summary>
    /// Over every 60-candle window of the real BTC/USDT file, the numbers mean what the README says, computed here from
    /// the snapshot's indicators: setup strength <c>clamp((EMA9 − EMA21) / ATR / 2, 0, 1)</c>; a BUY's confidence
    /// <c>0.55 + 0.2 × (EMA9 − EMA21) / ATR</c> capped at 0.95; an unconfirmed uptrend's HOLD <c>0.95 − 0.4 × strength</c>;
    /// every other HOLD 0.95. The analysis' confidence is the trend read's, for downtrends alike.
    /// </summary>
    [Fact]
    public async Task Over_real_windows_confidence_and_setup_strength_follow_the_documented_formulas()
    {
        var candles = CandleCsv.Read(TestMarket.CandleFile("BTC_USDT-5m.csv")).ToArray();
        var brain = new RulesBrain();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        const int window = 60;
        for (var end = window; end <= candles.Length; end += 7)
        {
            var history = new ArraySegment<Candle>(candles, end - window, window);
            var market = MarketSnapshot.Create(TestMarket.TickerAround(history[^1].Close, 0.02m), history);
            var i = market.Indicators;
            var s = (i.EmaFast!.Value - i.EmaSlow!.Value) / i.Atr!.Value;
            var strength = Math.Round(Math.Clamp(s / 2m, 0m, 1m), 2);

            var proposal = await brain.ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None);
            var analysis = await brain.AnalyzeAsync(market, CancellationToken.None);

            Assert.Equal(strength, proposal.SetupStrength);
            Assert.Equal(strength, analysis.SetupStrength);
            Assert.Equal(Math.Round(Math.Clamp(0.55m + (0.2m * Math.Abs(s)), 0.55m, 0.95m), 2), analysis.Confidence);
            var kind = proposal.Action == TradeAction.Buy ? "buy" : proposal.Reasoning.StartsWith("Uptrend but", StringComparison.Ordinal) ? "unconfirmed" : "veto";
            var expected = kind switch
            {
                "buy" => Math.Round(Math.Min(0.55m + (0.2m * s), 0.95m), 2),
                "unconfirmed" => 0.95m - (0.4m * strength),
                _ => 0.95m,
            };
            Assert.True(expected == proposal.Confidence, $"{history[^1].OpenTime:O} {kind}: confidence {proposal.Confidence}, expected {expected} (s = {s})");
            seen[kind] = seen.GetValueOrDefault(kind) + 1;
        }

        Assert.All(new[] { "buy", "unconfirmed", "veto" }, k => Assert.True(seen.GetValueOrDefault(k) > 0, $"no {k} over the file"));
    }

    private static Task<TradeProposal> ProposeAsync(MarketSnapshot market) =>
        new RulesBrain().ProposeAsync(new BrainRequest(market, Portfolio, TradingStrategy.Scalping), CancellationToken.None);
}
