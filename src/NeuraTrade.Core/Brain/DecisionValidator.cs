using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Turns a proposal into a decision. Whatever a brain says, an entry leaves here only with a confidence
/// in [0,1], a size within the cap, finite positive prices near the market, and stop and target on the
/// correct side of the entry; anything else becomes HOLD with the reason. Any decision's confidence and setup strength
/// must lie in [0,1]; the confidence floor (<c>AI:MinConfidence</c>) applies to entries only, so a HOLD's confidence
/// (how sure holding is right) never blocks anything.
/// </summary>
public sealed class DecisionValidator(IOptions<BrainOptions> options)
{
    private readonly BrainOptions _options = options.Value;

    public TradingDecision Validate(
        TradeProposal proposal,
        MarketSnapshot market,
        TradingStrategy strategy,
        DecisionSource source,
        string id,
        DateTimeOffset createdAt)
    {
        var decision = new TradingDecision(
            id,
            market.Symbol,
            strategy,
            proposal.Action,
            proposal.Action switch
            {
                TradeAction.Buy => OrderSide.Buy,
                TradeAction.Sell => OrderSide.Sell,
                _ => null,
            },
            proposal.SizePercent,
            proposal.EntryPrice,
            proposal.StopLoss,
            proposal.TakeProfit,
            proposal.Confidence,
            proposal.Reasoning,
            proposal.MarketAnalysis,
            proposal.RiskAssessment,
            proposal.ModelUsed,
            proposal.TokensUsed,
            createdAt,
            source,
            market.Ticker.Mid)
        {
            OrderType = proposal.OrderType,
            Invalidation = proposal.Invalidation,
            Trace = proposal.Trace,
            SetupStrength = proposal.SetupStrength,
            Features = MarketFeatures.Of(market, createdAt),
        };

        if (proposal.FailureReason is { } failure)
        {
            return decision with { Action = TradeAction.Hold, Side = null, HoldReason = failure };
        }

        if (proposal.Confidence is < 0m or > 1m)
        {
            return decision.AsHold($"confidence {proposal.Confidence} is outside [0, 1]");
        }

        if (proposal.SetupStrength is < 0m or > 1m)
        {
            return decision.AsHold($"setup_strength {proposal.SetupStrength} is outside [0, 1]");
        }

        if (!decision.IsEntry)
        {
            return decision;
        }

        var reason = EntryProblem(proposal, market);
        return reason is null ? decision : decision.AsHold(reason);
    }

    private string? EntryProblem(TradeProposal p, MarketSnapshot market)
    {
        if (p.Action == TradeAction.Sell && !_options.AllowShort)
        {
            return "short entries are not allowed on this venue (AI:AllowShort is false)";
        }

        if (p.Confidence < _options.MinConfidence)
        {
            return $"confidence {p.Confidence} is below AI:MinConfidence {_options.MinConfidence}";
        }

        if (p.SizePercent <= 0m || p.SizePercent > _options.MaxSizePercent)
        {
            return $"size_percent {p.SizePercent} is outside (0, {_options.MaxSizePercent}]";
        }

        if (p.EntryPrice is not > 0m || p.StopLoss is not > 0m || p.TakeProfit is not > 0m)
        {
            return "an entry needs positive entry_price, stop_loss and take_profit";
        }

        decimal entry = p.EntryPrice.Value, stop = p.StopLoss.Value, target = p.TakeProfit.Value;
        var isLong = p.Action == TradeAction.Buy;
        if (isLong && !(stop < entry && entry < target))
        {
            return $"a long needs stop_loss < entry_price < take_profit (got {stop} / {entry} / {target})";
        }

        if (!isLong && !(target < entry && entry < stop))
        {
            return $"a short needs take_profit < entry_price < stop_loss (got {target} / {entry} / {stop})";
        }

        var mid = market.Ticker.Mid;
        if (mid <= 0m)
        {
            return "the market has no price to check the entry against";
        }

        // Compared without dividing by mid: an absurd entry on a low-priced market must not overflow.
        if (Math.Abs(entry - mid) > mid * _options.EntryBandPercent / 100m)
        {
            return $"entry_price {entry} is more than {_options.EntryBandPercent}% from the market {mid}";
        }

        return null;
    }
}
