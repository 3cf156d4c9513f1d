using System.Globalization;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// The deterministic no-LLM brain (<c>rules-v1</c>). A long-only momentum scalp:
/// BUY when the fast EMA(9) is above the slow EMA(21), the last close is above the fast EMA, the
/// 3-candle momentum is positive, volatility (ATR(14) / price) is at least 0.05%, and the spread is at most
/// 0.10%. Entry at the ask, stop-loss 1σ below, take-profit 1.5σ above, 10% of free funds, and only when that
/// target beats the round trip's cost (<see cref="RoundTripCost"/>: both fees, slippage, the spread now) by the minimum
/// net edge, exactly as the risk gate will judge it: a rule that proposes entries the gate must refuse only wastes scans.
/// Anything else is HOLD. σ is the move to expect over the hold: the per-candle ATR scaled to the hold's length in candles,
/// <c>σ = ATR × √(hold / candle)</c> (a random walk's spread grows with the root of time), so a 2-minute hold on minute
/// candles aims 1.5 × 1.41 ATR away and a 5-minute hold on 5-minute candles 1.5 ATR away
/// (<see cref="Scalping.HoldHorizon.Candles"/>).
/// <para>
/// The numbers (README, "What confidence means"): the setup strength is the long setup's trend strength
/// s = (EMA9 − EMA21) / ATR, as <c>clamp(s / 2, 0, 1)</c>: 0 without an uptrend, 1 from a gap of 2 ATR. An entry's
/// confidence grows with it, <c>0.55 + 0.2 × s</c> capped at 0.95. A HOLD's confidence is how sure the rule is that
/// staying out is right: 0.95 when a veto holds whatever the trend (spread, volatility, no uptrend, a target that does not
/// clear the costs), and <c>0.95 − 0.4 × setup strength</c> (0.55 to 0.95) when an uptrend is there but the close or the
/// momentum does not confirm it: the stronger the setup it passes up, the less sure. 0 when it could not judge (too
/// few candles). The analysis' confidence is how sure its trend read is (<c>0.55 + 0.2 × |s|</c>, downtrends alike).
/// </para>
/// </summary>
/// <param name="costs">The cost model the risk gate applies (<c>Scalping:FeePercent</c>, <c>ExpectedSlippagePercent</c>,
/// <c>MinNetEdgePercent</c>); <see cref="RoundTripCost.Default"/> when not given.</param>
/// <param name="horizonCandles">The hold in candles of the timeframe the brain reads (at least 1; 1 when not given).</param>
/// <param name="entryOrder">How an entry is ordered: at market (the default), or as a limit at the ask, which the desk
/// places immediate-or-cancel: it takes only what the book offers at the ask or better and never pays slippage beyond it.</param>
public sealed class RulesBrain(RoundTripCost? costs = null, decimal horizonCandles = 1m, OrderType entryOrder = OrderType.Market) : ITradingBrain
{
    public const string ModelName = "rules-v1";
    internal const decimal MinVolatilityPercent = 0.05m;
    internal const decimal MaxSpreadPercent = 0.10m;
    internal const decimal StopSigma = 1.0m;
    internal const decimal TargetSigma = 1.5m;

    /// <summary>The confidence of a HOLD by a veto: the rule's highest, as sure as its surest entry.</summary>
    internal const decimal VetoHoldConfidence = 0.95m;
    /// <summary>The share of free quote funds an entry asks for.</summary>
    public const decimal SizePercent = 10m;

    public string Model => ModelName;

    /// <summary>The rule's answer to an arbitrage request that carries no venue books: nothing to compare, so HOLD.</summary>
    public const string NoVenuesReason = "Arbitrage compares one market's books across venues; this request carries the books of no venue, so there is no price gap to judge and nothing is traded.";

    /// <summary>The round-trip cost a target must clear.</summary>
    public RoundTripCost Costs { get; } = costs ?? RoundTripCost.Default;

    /// <summary>The hold in candles the barriers are sized to (at least 1).</summary>
    public decimal HorizonCandles { get; } = Math.Max(1m, horizonCandles);

    /// <summary>How the rule orders an entry: at market, or as a limit at the ask.</summary>
    public OrderType EntryOrder { get; } = entryOrder;

    /// <summary>σ over the hold in ATRs: √<see cref="HorizonCandles"/>, to 4 decimals.</summary>
    public decimal SigmaAtr => Math.Round((decimal)Math.Sqrt((double)HorizonCandles), 4, MidpointRounding.AwayFromZero);

    /// <summary>This rule with <paramref name="other"/> costs and a hold of <paramref name="horizon"/> candles (itself when both are the same).</summary>
    public RulesBrain For(RoundTripCost other, decimal horizon) =>
        other == Costs && Math.Max(1m, horizon) == HorizonCandles ? this : new RulesBrain(other, horizon, EntryOrder);

    public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
    {
        if (request.Strategy == TradingStrategy.Arbitrage)
        {
            // The scalping rule's EMA read says nothing about a price gap between venues.
            return Task.FromResult(request.Arbitrage is { } scan ? ProposeArbitrage(scan) : TradeProposal.Hold(NoVenuesReason, Describe(request.Market), ModelName));
        }

        var proposal = Propose(request.Market, Costs, SigmaAtr);
        return Task.FromResult(EntryOrder == OrderType.Limit && proposal.Action == TradeAction.Buy ? proposal with { OrderType = OrderType.Limit } : proposal);
    }

    public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken)
    {
        var read = Read(market);
        var analysis = new MarketAnalysis(
            market.Symbol,
            read.Trend,
            Describe(market),
            read.Reasoning,
            read.TrendConfidence,
            ModelName,
            0,
            market.Indicators,
            market.Ticker.Last,
            market.Ticker.Timestamp)
        { SetupStrength = read.SetupStrength };
        return Task.FromResult(analysis);
    }

    /// <summary>
    /// The arbitrage rule: take the best opportunity whose net edge (after both taker fees, the walked depth, the quote
    /// conversion and the safety buffer) clears <c>Arbitrage:MinNetEdgePercent</c> within the inventory and the notional cap;
    /// otherwise HOLD with the best edge seen and why it is not traded.
    /// </summary>
    internal static TradeProposal ProposeArbitrage(ArbitrageScan scan)
    {
        var analysis = string.Join(" | ", scan.Pairs.Select(p => p.Describe()));
        if (scan.Trade is not { } trade)
        {
            return TradeProposal.Hold(
                scan.Best is { } best ? $"No arbitrage worth trading: best is {best.Describe()}." : "No arbitrage: fewer than two venues were read.",
                analysis,
                ModelName,
                VetoHoldConfidence);
        }

        return new TradeProposal(
            TradeAction.Buy,
            0m,
            trade.BuyPrice,
            null,
            trade.SellPrice,
            VetoHoldConfidence,
            $"Arbitrage: {trade.Describe()}.",
            analysis,
            "Both legs at once, buy then sell the amount bought; a sell leg that fails is unwound on the buy venue. Bounded by Arbitrage:MaxNotional and each venue's inventory.",
            ModelName,
            0);
    }

    internal static TradeProposal Propose(MarketSnapshot market, RoundTripCost costs, decimal sigmaAtr = 1m)
    {
        var read = Read(market);
        var description = Describe(market);
        if (!read.Enter)
        {
            return TradeProposal.Hold(read.Reasoning, description, ModelName, read.Confidence, read.SetupStrength);
        }

        var sigma = market.Indicators.Atr!.Value * sigmaAtr;
        var entry = market.Ticker.Ask;
        var target = Math.Round(entry + (TargetSigma * sigma), 8, MidpointRounding.AwayFromZero);
        var spread = market.Ticker.SpreadPercent;
        if (!costs.Clears(entry, target, spread))
        {
            return TradeProposal.Hold(
                F($"Long setup, but the {TargetSigma}σ target ({TargetSigma * sigmaAtr:0.##} ATR) is {(target - entry) / entry * 100m:0.####}% away and a round trip costs {costs.CostPercent(spread):0.####}% (fees, slippage, spread): net edge {costs.NetEdgePercent(entry, target, spread):0.####}% is below {costs.MinNetEdgePercent}%."),
                description,
                ModelName,
                VetoHoldConfidence,
                read.SetupStrength);
        }

        return new TradeProposal(
            TradeAction.Buy,
            SizePercent,
            entry,
            Math.Round(entry - (StopSigma * sigma), 8, MidpointRounding.AwayFromZero),
            target,
            read.Confidence,
            read.Reasoning,
            description,
            F($"Risk {StopSigma}σ ({StopSigma * sigma:0.########}, {StopSigma * sigmaAtr:0.##} ATR) to make {TargetSigma}σ ({TargetSigma * sigmaAtr:0.##} ATR), σ being the ATR scaled to the hold; reward/risk {TargetSigma / StopSigma:0.##}."),
            ModelName,
            0)
        { SetupStrength = read.SetupStrength };
    }

    /// <summary>
    /// A screen for the fast backtest path: false only when <see cref="ProposeAsync"/> would certainly not give an entry
    /// of at least <paramref name="minConfidence"/>, judged from double approximations of the indicators (EMA9, EMA21,
    /// ATR14 over the same closed candles) that may differ from the snapshot's 8-decimal values by rounding and double
    /// error, and <paramref name="midAtLeast"/>, a lower bound of the quoted mid (the lowest price of the candle in force
    /// less the quotes' rounding). Anything too close to call answers true, and the caller then runs the exact rule. The
    /// caller checks the rest exactly: at least 21 closed candles and a positive 3-candle momentum. The spread is not
    /// screened (the exact rule checks it).
    /// </summary>
    public static bool MayEnter(double emaFast, double emaSlow, double atr, double lastClose, double midAtLeast, decimal minConfidence)
    {
        if (minConfidence > 0.95m)
        {
            return false;
        }

        // 8-decimal rounding of each indicator (5e-9) plus the doubles' error, with room to spare.
        var tolerance = 2e-8 + (1e-9 * Math.Max(Math.Abs(emaFast), Math.Max(Math.Abs(emaSlow), Math.Abs(lastClose))));
        if (emaFast <= emaSlow - tolerance || lastClose <= emaFast - tolerance)
        {
            return false;
        }

        // Volatility ATR / mid is at most ATR over the mid's lower bound.
        if (midAtLeast > 0d && atr / midAtLeast * 100d < (double)MinVolatilityPercent - 2e-8)
        {
            return false;
        }

        // Confidence 0.55 + 0.2 × strength, rounded to 2 decimals: below the floor even at the largest strength the rounding allows.
        if (atr <= 2d * tolerance)
        {
            return true;
        }

        var strength = (emaFast - emaSlow + (2d * tolerance)) / (atr - tolerance);
        return 0.55d + (0.2d * strength) >= (double)minConfidence - 0.005d - 1e-9;
    }

    private static MarketRead Read(MarketSnapshot market)
    {
        var i = market.Indicators;
        if (i.EmaFast is not { } fast || i.EmaSlow is not { } slow || i.Atr is not { } atr || atr <= 0m
            || i.MomentumPercent is not { } momentum || i.VolatilityPercent is not { } volatility)
        {
            return new MarketRead(false, "unknown", 0m, null, 0m, "Not enough closed candles for EMA(21) and ATR(14).");
        }

        var strength = (fast - slow) / atr;
        var trend = strength switch
        {
            > 0.1m => "uptrend",
            < -0.1m => "downtrend",
            _ => "sideways",
        };
        var trendConfidence = Math.Round(Math.Clamp(0.55m + (0.2m * Math.Abs(strength)), 0.55m, 0.95m), 2);
        var setup = Math.Round(Math.Clamp(strength / 2m, 0m, 1m), 2);
        var last = market.Candles[^1].Close;
        MarketRead Veto(string why) => new(false, trend, trendConfidence, setup, VetoHoldConfidence, why);

        if (i.SpreadPercent > MaxSpreadPercent)
        {
            return Veto(F($"Spread {i.SpreadPercent:0.####}% is wider than {MaxSpreadPercent}%: too costly to scalp."));
        }

        if (volatility < MinVolatilityPercent)
        {
            return Veto(F($"Volatility {volatility:0.####}% is below {MinVolatilityPercent}%: targets would not cover costs."));
        }

        if (fast <= slow)
        {
            return Veto(F($"EMA9 {fast:0.########} is not above EMA21 {slow:0.########}: no long setup (spot is long-only)."));
        }

        if (last <= fast || momentum <= 0m)
        {
            return new MarketRead(false, trend, trendConfidence, setup, VetoHoldConfidence - (0.4m * setup), F($"Uptrend but the last close {last} or the 3-candle momentum {momentum:0.####}% does not confirm it."));
        }

        // An entry's confidence: the same formula as the trend read's, the trend being up here.
        return new MarketRead(true, trend, trendConfidence, setup, trendConfidence, F($"EMA9 above EMA21 by {strength:0.##} ATR, close above EMA9, momentum {momentum:0.####}%, volatility {volatility:0.####}%, spread {i.SpreadPercent:0.####}%."));
    }

    private static string Describe(MarketSnapshot market)
    {
        var i = market.Indicators;
        return F($"{market.Symbol} last {market.Ticker.Last} bid {market.Ticker.Bid} ask {market.Ticker.Ask}; EMA9 {i.EmaFast:0.########} EMA21 {i.EmaSlow:0.########} ATR14 {i.Atr:0.########} RSI14 {i.Rsi:0.##} momentum {i.MomentumPercent:0.####}% volatility {i.VolatilityPercent:0.####}%.");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <param name="TrendConfidence">How sure the trend read is (the analysis' confidence).</param>
    /// <param name="SetupStrength">The long setup's strength, 0 to 1; null without enough candles.</param>
    /// <param name="Confidence">How sure the rule is of what it proposes: the entry, or holding.</param>
    private sealed record MarketRead(bool Enter, string Trend, decimal TrendConfidence, decimal? SetupStrength, decimal Confidence, string Reasoning);
}
