using System.Globalization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Risk;

/// <summary>
/// The economy screen in front of a paid model (<c>Scalping:Screen</c>): a scan asks the LLM about a symbol only when a
/// trade there could pay. The move to expect over the hold is σ = ATR(14) × √(hold in candles), the random-walk scaling
/// the rules brain sizes its barriers with; a take-profit beyond <see cref="ReachSigmas"/> σ is reached within the hold
/// rarely (a driftless walk touches 1.5σ with probability 2·(1 − Φ(1.5)) ≈ 13%, 2σ ≈ 4.6%). When even that reach is
/// short of the round trip's cost (<see cref="RoundTripCost"/>: both fees, slippage, the spread now) plus the minimum
/// net edge, no target the model could set would clear its costs, so the model is not asked and the HOLD says why with
/// the numbers. Deterministic: the same snapshot always screens the same way. Without enough candles for the ATR the
/// screen does not judge (the model is asked).
/// </summary>
/// <param name="Costs">The cost model the risk gate applies.</param>
/// <param name="HorizonCandles">The hold in candles of the timeframe the brain reads (at least 1).</param>
/// <param name="ReachSigmas">How many σ a target may lie away and still count as reachable within the hold.</param>
public sealed record MarketScreen(RoundTripCost Costs, decimal HorizonCandles, decimal ReachSigmas)
{
    /// <summary>The default reach: the rules brain's own target distance (1.5σ).</summary>
    public const decimal DefaultReachSigmas = 1.5m;

    /// <summary>Every screen reason starts with this, so journals, reports and status can count the screen's skips.</summary>
    public const string ReasonPrefix = "screen: ";

    /// <summary>How far, in percent of the mid, a target <see cref="ReachSigmas"/> σ away lies; null without an ATR.</summary>
    public decimal? ReachPercent(MarketSnapshot market)
    {
        if (market.Indicators.Atr is not { } atr || atr <= 0m || market.Ticker.Mid <= 0m)
        {
            return null;
        }

        var sigma = atr * (decimal)Math.Sqrt((double)Math.Max(1m, HorizonCandles));
        return ReachSigmas * sigma / market.Ticker.Mid * 100m;
    }

    /// <summary>What a target must lie away to be worth trading, percent: the round trip's cost at the spread now plus the minimum net edge.</summary>
    public decimal NeededPercent(MarketSnapshot market) => Costs.CostPercent(market.Ticker.SpreadPercent) + Costs.MinNetEdgePercent;

    /// <summary>Null when the model should be asked; else why not, with the figures (starts with <see cref="ReasonPrefix"/>).</summary>
    public string? WhyNotAsk(MarketSnapshot market)
    {
        if (ReachPercent(market) is not { } reach)
        {
            return null;
        }

        var needed = NeededPercent(market);
        return reach >= needed
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"{ReasonPrefix}a {ReachSigmas}σ move over the hold ({HorizonCandles:0.####} candles, ATR14 {market.Indicators.Atr:0.########}) reaches {reach:0.####}%, short of the {needed:0.####}% a trade must clear (round trip {Costs.CostPercent(market.Ticker.SpreadPercent):0.####}% with the spread {market.Ticker.SpreadPercent:0.####}%, plus the {Costs.MinNetEdgePercent}% net edge): no target could pay");
    }
}
