namespace NeuraTrade.Core.Brain;

/// <summary>
/// What a brain proposes, before validation. Nothing here is trusted: <see cref="DecisionValidator"/>
/// turns it into a <see cref="TradingDecision"/> or a HOLD with the reason.
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
    /// <summary>A HOLD that explains itself.</summary>
    public static TradeProposal Hold(string reasoning, string marketAnalysis, string modelUsed, decimal confidence = 0m) =>
        new(TradeAction.Hold, 0m, null, null, null, confidence, reasoning, marketAnalysis, "No position is opened.", modelUsed, 0);
}
