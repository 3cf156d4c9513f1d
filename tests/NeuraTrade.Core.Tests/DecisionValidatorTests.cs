using System.Globalization;
using CsCheck;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

public sealed class DecisionValidatorTests
{
    // Mid 100, spread 0.1%: bid 99.95, ask 100.05.
    private static readonly MarketSnapshot Market = MarketSnapshot.Create(TestMarket.TickerAround(100m, 0.1m), TestMarket.Trend(30, 90m, 0.34m));

    [Fact]
    public void Valid_buy_passes_unchanged()
    {
        var proposal = Buy();

        var decision = Validate(proposal);

        Assert.Equal(TradeAction.Buy, decision.Action);
        Assert.Equal(OrderSide.Buy, decision.Side);
        Assert.Equal(proposal.SizePercent, decision.SizePercent);
        Assert.Equal(proposal.EntryPrice, decision.EntryPrice);
        Assert.Equal(proposal.StopLoss, decision.StopLoss);
        Assert.Equal(proposal.TakeProfit, decision.TakeProfit);
        Assert.Equal(proposal.Confidence, decision.Confidence);
        Assert.Equal(proposal.Reasoning, decision.Reasoning);
        Assert.Equal(100m, decision.MarketPrice);
        Assert.Equal("BTC/USDT", decision.Symbol);
        Assert.Null(decision.HoldReason);
        Assert.Null(decision.ProposedAction);
        Assert.True(decision.IsEntry);
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("1.01")]
    public void Confidence_outside_zero_to_one_becomes_hold(string confidence)
    {
        var decision = Validate(Buy() with { Confidence = D(confidence) });

        AssertHeld(decision, "buy", "outside [0, 1]");
    }

    [Fact]
    public void Confidence_outside_range_flags_even_a_hold_proposal()
    {
        var decision = Validate(TradeProposal.Hold("flat", "quiet", "test", confidence: 2m));

        AssertHeld(decision, "hold", "confidence");
    }

    [Fact]
    public void Confidence_below_min_confidence_becomes_hold_and_the_minimum_itself_passes()
    {
        AssertHeld(Validate(Buy() with { Confidence = 0.59m }), "buy", "below AI:MinConfidence");
        Assert.Equal(TradeAction.Buy, Validate(Buy() with { Confidence = 0.6m }).Action);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("25.01")]
    public void Size_percent_outside_zero_to_cap_becomes_hold(string size)
    {
        var decision = Validate(Buy() with { SizePercent = D(size) });

        AssertHeld(decision, "buy", "size_percent");
    }

    [Fact]
    public void Size_percent_at_the_cap_passes()
    {
        Assert.Equal(TradeAction.Buy, Validate(Buy() with { SizePercent = 25m }).Action);
    }

    [Theory]
    [InlineData("100.5", "102")] // stop above entry
    [InlineData("100.05", "102")] // stop at entry
    [InlineData("99", "99.5")] // target below entry
    [InlineData("99", "100.05")] // target at entry
    public void Long_with_stop_or_target_on_the_wrong_side_becomes_hold(string stop, string target)
    {
        var decision = Validate(Buy() with { StopLoss = D(stop), TakeProfit = D(target) });

        AssertHeld(decision, "buy", "a long needs stop_loss < entry_price < take_profit");
    }

    [Fact]
    public void Entry_without_prices_or_with_non_positive_prices_becomes_hold()
    {
        AssertHeld(Validate(Buy() with { EntryPrice = null }), "buy", "positive entry_price");
        AssertHeld(Validate(Buy() with { StopLoss = null }), "buy", "positive entry_price");
        AssertHeld(Validate(Buy() with { TakeProfit = null }), "buy", "positive entry_price");
        AssertHeld(Validate(Buy() with { StopLoss = 0m }), "buy", "positive entry_price");
        AssertHeld(Validate(Buy() with { EntryPrice = -100.05m, StopLoss = -101m, TakeProfit = -99m }), "buy", "positive entry_price");
    }

    [Theory]
    [InlineData("100.6", "99", "102")]
    [InlineData("99.4", "98", "101")]
    public void Entry_outside_the_band_around_mid_becomes_hold(string entry, string stop, string target)
    {
        var decision = Validate(Buy() with
        {
            EntryPrice = D(entry),
            StopLoss = D(stop),
            TakeProfit = D(target),
        });

        AssertHeld(decision, "buy", "from the market");
    }

    [Fact]
    public void Entry_exactly_at_the_band_edge_passes()
    {
        Assert.Equal(TradeAction.Buy, Validate(Buy() with { EntryPrice = 100.5m, StopLoss = 99m, TakeProfit = 102m }).Action);
        Assert.Equal(TradeAction.Buy, Validate(Buy() with { EntryPrice = 99.5m, StopLoss = 99m, TakeProfit = 102m }).Action);
    }

    [Fact]
    public void Short_entry_becomes_hold_when_shorts_are_not_allowed()
    {
        var decision = Validate(Sell());

        AssertHeld(decision, "sell", "AllowShort");
    }

    [Fact]
    public void Short_entry_with_correct_sides_passes_when_shorts_are_allowed()
    {
        var decision = Validate(Sell(), new BrainOptions { AllowShort = true });

        Assert.Equal(TradeAction.Sell, decision.Action);
        Assert.Equal(OrderSide.Sell, decision.Side);
        Assert.Null(decision.HoldReason);
    }

    [Fact]
    public void Short_with_long_style_levels_becomes_hold_even_when_allowed()
    {
        var decision = Validate(Sell() with { StopLoss = 99m, TakeProfit = 101m }, new BrainOptions { AllowShort = true });

        AssertHeld(decision, "sell", "a short needs take_profit < entry_price < stop_loss");
    }

    [Theory]
    [InlineData(TradeAction.Hold)]
    [InlineData(TradeAction.Close)]
    public void Non_entry_actions_with_valid_confidence_pass_through(TradeAction action)
    {
        var proposal = TradeProposal.Hold("nothing to do", "quiet", "test", 0.3m) with { Action = action };

        var decision = Validate(proposal);

        Assert.Equal(action, decision.Action);
        Assert.Null(decision.Side);
        Assert.Null(decision.HoldReason);
        Assert.False(decision.IsEntry);
    }

    /// <summary>
    /// A HOLD's confidence is how sure the brain is that staying out is right: however low or high, it passes as a plain
    /// HOLD, since the confidence floors judge entries only.
    /// </summary>
    [Theory]
    [InlineData("0")]
    [InlineData("0.05")]
    [InlineData("0.79")]
    [InlineData("1")]
    public void A_hold_passes_as_a_plain_hold_whatever_its_confidence_and_the_floor(string confidence)
    {
        var decision = Validate(TradeProposal.Hold("no setup", "quiet", "test", D(confidence), setupStrength: 0.9m), new BrainOptions { MinConfidence = 0.99m });

        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Null(decision.HoldReason);
        Assert.Null(decision.ProposedAction);
        Assert.Equal(D(confidence), decision.Confidence);
        Assert.Equal(0.9m, decision.SetupStrength);
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("1.01")]
    public void Setup_strength_outside_zero_to_one_becomes_hold_even_for_an_entry(string strength)
    {
        AssertHeld(Validate(Buy() with { SetupStrength = D(strength) }), "buy", "setup_strength");
        AssertHeld(Validate(TradeProposal.Hold("flat", "quiet", "test", 0.9m, D(strength))), "hold", "setup_strength");
    }

    [Fact]
    public void An_entry_keeps_its_setup_strength_and_an_entry_held_by_the_engine_keeps_both_numbers()
    {
        var passed = Validate(Buy() with { SetupStrength = 0.4m });
        var held = Validate(Buy() with { SetupStrength = 0.4m, Confidence = 0.59m });

        Assert.Equal((TradeAction.Buy, 0.8m, (decimal?)0.4m), (passed.Action, passed.Confidence, passed.SetupStrength));
        Assert.Equal((TradeAction.Hold, "buy", 0.59m, (decimal?)0.4m), (held.Action, held.ProposedAction, held.Confidence, held.SetupStrength));
        Assert.Null(Validate(Buy()).SetupStrength);
    }

    // Runs against a mid of 100; the low-priced market case has its own test below.
    [Fact]
    public void Random_proposals_never_yield_an_invalid_entry()
    {
        var price = Gen.Frequency(
            (4, Gens.Decimal(97m, 103m)),
            (2, Gen.Decimal),
            (1, Gen.OneOfConst(0m, -1m, 100m, 0.00000001m, decimal.MaxValue, decimal.MinValue)));
        var optionalPrice = Gen.Frequency((6, price.Select(p => (decimal?)p)), (1, Gen.Const((decimal?)null)));
        var confidence = Gen.Frequency(
            (4, Gens.Decimal(0m, 1m)),
            (1, Gen.Decimal),
            (1, Gen.OneOfConst(-0.0000001m, 0m, 0.6m, 1m, 1.0000001m)));
        var size = Gen.Frequency(
            (4, Gens.Decimal(0m, 30m)),
            (1, Gen.Decimal),
            (1, Gen.OneOfConst(0m, -1m, 25m, 25.00000001m, decimal.MaxValue)));

        // Near the market with stop and target on random sides, or anything at all.
        var prices = Gen.Frequency(
            (3, Gen.Select(Gens.Decimal(99.3m, 100.7m), Gens.Decimal(-3m, 3m), Gens.Decimal(-3m, 3m), (entry, s, t) => ((decimal?)entry, (decimal?)(entry + s), (decimal?)(entry + t)))),
            (2, Gen.Select(optionalPrice, optionalPrice, optionalPrice)));
        var proposals = Gen.Select(Gen.Enum<TradeAction>(), size, prices, confidence, Gen.Bool, (action, sz, p, conf, allowShort) =>
            (new TradeProposal(action, sz, p.Item1, p.Item2, p.Item3, conf, "r", "m", "risk", "test", 0), allowShort));
        var entries = 0;

        proposals.Sample(
            x =>
            {
                var (proposal, allowShort) = x;
                var options = new BrainOptions { AllowShort = allowShort };
                var decision = Validate(proposal, options);

                if (proposal.Confidence is < 0m or > 1m || (proposal.Action is TradeAction.Buy or TradeAction.Sell && !decision.IsEntry))
                {
                    Assert.Equal(TradeAction.Hold, decision.Action);
                    Assert.Null(decision.Side);
                    Assert.False(string.IsNullOrWhiteSpace(decision.HoldReason));
                    Assert.Equal(proposal.Action.ToString().ToLowerInvariant(), decision.ProposedAction);
                }

                if (!decision.IsEntry)
                {
                    return;
                }

                Interlocked.Increment(ref entries);
                decimal entry = decision.EntryPrice!.Value, stop = decision.StopLoss!.Value, target = decision.TakeProfit!.Value;
                Assert.Equal(proposal.Action, decision.Action);
                Assert.InRange(decision.Confidence, options.MinConfidence, 1m);
                Assert.True(decision.SizePercent > 0m && decision.SizePercent <= options.MaxSizePercent, $"size {decision.SizePercent}");
                Assert.True(Math.Abs(entry - 100m) <= 0.5m, $"entry {entry} outside the band");
                if (decision.Action == TradeAction.Buy)
                {
                    Assert.True(stop < entry && entry < target, $"long {stop} / {entry} / {target}");
                }
                else
                {
                    Assert.True(allowShort);
                    Assert.True(target < entry && entry < stop, $"short {target} / {entry} / {stop}");
                }
            },
            iter: 30_000,
            print: x => x.ToString());

        Assert.True(entries > 100, $"only {entries} valid entries generated: the property would be vacuous");
    }

    // Regression: the entry-band check once divided by mid, so an absurd entry on a low-priced market
    // (ETH/BTC ~0.05) overflowed decimal and threw instead of holding, failing the whole scan.
    [Fact]
    public void Absurd_entry_on_a_low_priced_market_becomes_hold_instead_of_throwing()
    {
        var market = MarketSnapshot.Create(TestMarket.TickerAround(0.05m, 0.1m, "ETH/BTC"), TestMarket.Trend(30, 0.04m, 0.0003m, 0.0001m));
        var proposal = Buy() with { EntryPrice = 1e27m, StopLoss = 1e26m, TakeProfit = 2e27m };

        var decision = new DecisionValidator(Options.Create(new BrainOptions()))
            .Validate(proposal, market, TradingStrategy.Scalping, DecisionSource.Api, "id-1", TestMarket.T0);

        AssertHeld(decision, "buy", "from the market");
    }

    private static decimal D(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    private static TradeProposal Buy() =>
        new(TradeAction.Buy, 10m, 100.05m, 99m, 102m, 0.8m, "trend up", "analysis", "risk 1", "test-model", 42);

    private static TradeProposal Sell() =>
        new(TradeAction.Sell, 10m, 99.95m, 101m, 98m, 0.8m, "trend down", "analysis", "risk 1", "test-model", 42);

    private static TradingDecision Validate(TradeProposal proposal, BrainOptions? options = null) =>
        new DecisionValidator(Options.Create(options ?? new BrainOptions()))
            .Validate(proposal, Market, TradingStrategy.Scalping, DecisionSource.Api, "id-1", TestMarket.T0);

    private static void AssertHeld(TradingDecision decision, string proposedAction, string reasonFragment)
    {
        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Null(decision.Side);
        Assert.False(decision.IsEntry);
        Assert.Equal(proposedAction, decision.ProposedAction);
        Assert.False(string.IsNullOrWhiteSpace(decision.HoldReason));
        Assert.Contains(reasonFragment, decision.HoldReason, StringComparison.Ordinal);
    }
}
