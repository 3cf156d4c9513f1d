using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// What a brain proposes, before validation. Nothing here is trusted: <see cref="DecisionValidator"/>
/// turns it into a <see cref="TradingDecision"/> or a HOLD with the reason.
/// <see cref="Confidence"/> is how sure the brain is that <see cref="Action"/> is right: for an entry, that the trade
/// works out (the number the confidence floors judge); for a HOLD, that staying out is right; 0 when the brain did not
/// judge (it failed, or had too little data). How strong the market's setup looked is <see cref="SetupStrength"/>.
/// </summary>
public sealed record TradeProposal(
    TradeAction Action,
    decimal SizePercent,
    decimal? EntryPrice,
    decimal? StopLoss,
    decimal? TakeProfit,
    decimal Confidence,
    string Reasoning,
    string MarketAnalysis,
    string RiskAssessment,
    string ModelUsed,
    int TokensUsed)
{
    /// <summary>
    /// Market or limit, as the brain asked. A limit entry is placed at <see cref="EntryPrice"/> as immediate-or-cancel: it
    /// takes what the book fills at that price or better now and the rest is cancelled (<c>TradeDesk</c>); the rules brain
    /// always enters at market.
    /// </summary>
    public OrderType OrderType { get; init; } = OrderType.Market;

    /// <summary>What would prove the idea wrong, in the brain's words.</summary>
    public string? Invalidation { get; init; }

    /// <summary>
    /// How strong the best entry setup the brain saw is, 0 (none) to 1, whatever it decided; null when it did not say.
    /// A HOLD over a strong setup has a high strength and says how sure holding is in <see cref="Confidence"/>.
    /// </summary>
    public decimal? SetupStrength { get; init; }

    /// <summary>Why a brain answered HOLD because it could not answer (parse failure, budget, outage); null for a real HOLD.</summary>
    public string? FailureReason { get; init; }

    /// <summary>The LLM call behind this proposal (tokens, cost, latency, tools, raw text); null for the rules brain.</summary>
    public LlmTrace? Trace { get; init; }

    /// <summary>A HOLD that explains itself; <paramref name="confidence"/> is how sure holding is right (0: not judged).</summary>
    public static TradeProposal Hold(string reasoning, string marketAnalysis, string modelUsed, decimal confidence = 0m, decimal? setupStrength = null) =>
        new(TradeAction.Hold, 0m, null, null, null, confidence, reasoning, marketAnalysis, "No position is opened.", modelUsed, 0) { SetupStrength = setupStrength };
}
