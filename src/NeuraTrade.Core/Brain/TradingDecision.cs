using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// A validated decision, as journaled (the seed's <c>ai_decisions</c> row plus audit fields).
/// <see cref="HoldReason"/> says why the decision is a HOLD when validation or the risk gate turned it into one.
/// <see cref="Confidence"/> is the brain's confidence in the action it proposed (<see cref="TradeProposal.Confidence"/>):
/// for an entry turned into a HOLD it stays the entry's, and <see cref="ProposedAction"/> names that entry.
/// </summary>
public sealed record TradingDecision(
    string Id,
    string Symbol,
    TradingStrategy Strategy,
    TradeAction Action,
    OrderSide? Side,
    decimal SizePercent,
    decimal? EntryPrice,
    decimal? StopLoss,
    decimal? TakeProfit,
    decimal Confidence,
    string Reasoning,
    string MarketAnalysis,
    string RiskAssessment,
    string ModelUsed,
    int TokensUsed,
    DateTimeOffset CreatedAt,
    DecisionSource Source,
    decimal MarketPrice,
    string? HoldReason = null,
    DateTimeOffset? ExecutedAt = null,
    DecisionOutcome? Outcome = null,
    decimal? Pnl = null,
    string? ProposedAction = null)
{
    /// <summary>Market or limit, as asked.</summary>
    public OrderType OrderType { get; init; } = OrderType.Market;

    /// <summary>How strong the setup the brain saw was, 0 to 1, whatever it decided (<see cref="TradeProposal.SetupStrength"/>); null when not given.</summary>
    public decimal? SetupStrength { get; init; }

    /// <summary>The market as the brain saw it (volatility, spread, trend, momentum, RSI, hour): what the learning system compares situations by; null on rows written before it was kept.</summary>
    public MarketFeatures? Features { get; init; }

    /// <summary>What would prove the idea wrong.</summary>
    public string? Invalidation { get; init; }

    /// <summary>The LLM call behind the decision: provider, tokens, cost, latency, tool calls, raw answer.</summary>
    public LlmTrace? Trace { get; init; }

    /// <summary>The AI risk review of an entry, when <c>AI:RiskReview</c> is on.</summary>
    public RiskReview? Review { get; init; }

    /// <summary>
    /// Applies a review: block turns the entry into a HOLD, reduce shrinks its size, approve keeps it. A review
    /// can never enlarge a trade.
    /// </summary>
    public TradingDecision WithReview(RiskReview review) => review.Verdict switch
    {
        RiskReview.Approve => this with { Review = review },
        RiskReview.Reduce when review.SizeFactor is > 0m and < 1m => this with { Review = review, SizePercent = Math.Round(SizePercent * review.SizeFactor, 4, MidpointRounding.ToZero) },
        _ => AsHold($"risk review blocked: {review.Reasoning}") with { Review = review },
    };

    /// <summary>True when the decision asks to open a position.</summary>
    public bool IsEntry => Action is TradeAction.Buy or TradeAction.Sell;

    /// <summary>The same decision turned into a HOLD, keeping what was proposed for the audit trail.</summary>
    public TradingDecision AsHold(string reason) => this with
    {
        Action = TradeAction.Hold,
        Side = null,
        HoldReason = reason,
        ProposedAction = ProposedAction ?? Action.ToString().ToLowerInvariant(),
    };
}
