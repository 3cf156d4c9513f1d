using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Learning;

/// <summary>What became of a decision.</summary>
public enum OutcomeResult
{
    /// <summary>The trade made money after fees.</summary>
    Win,

    /// <summary>The trade lost money after fees.</summary>
    Loss,

    /// <summary>The trade's PnL after fees was within <see cref="TradeOutcome.BreakevenPercent"/> of its entry notional either way.</summary>
    Breakeven,

    /// <summary>The brain (or a pre-filter) decided to stay out: no entry was proposed.</summary>
    Held,

    /// <summary>An entry was proposed but did not trade: the risk gate, the AI review, the validator or the book refused it (<see cref="TradeOutcome.Reason"/>).</summary>
    Refused,

    /// <summary>An entry was proposed but was too old to enter when it reached the desk (<c>Scalping:MaxDecisionAge</c>).</summary>
    Expired,
}

/// <summary>
/// A decision met with its outcome. For a trade (<see cref="IsTrade"/>): the result after fees, PnL in quote and as a
/// percent of the entry notional, fees, hold time (entry to the last part's close), the exit reason (the first non-dust
/// part's), the maximum favourable and adverse excursion while open (percent of the entry price, both ≥ 0) and the market
/// features at the decision. One decision closed in several parts is one outcome (<see cref="Parts"/>). A decision that
/// never traded carries its <see cref="Result"/> (held, refused, expired) and <see cref="Reason"/>, with no PnL.
/// </summary>
public sealed record TradeOutcome(
    string DecisionId,
    string Symbol,
    TradingStrategy Strategy,
    string Model,
    decimal Confidence,
    OutcomeResult Result,
    PositionSide? Side,
    DateTimeOffset DecidedAt,
    DateTimeOffset ResolvedAt,
    decimal Pnl,
    decimal PnlPercent,
    decimal Fees,
    TimeSpan? Hold,
    ExitReason? ExitReason,
    decimal? MfePercent,
    decimal? MaePercent,
    MarketFeatures? Features,
    string? Reason,
    int Parts)
{
    /// <summary>|PnL| at most this percent of the entry notional is a breakeven (0.01%: one basis point).</summary>
    public const decimal BreakevenPercent = 0.01m;

    public bool IsTrade => Result is OutcomeResult.Win or OutcomeResult.Loss or OutcomeResult.Breakeven;

    /// <summary>
    /// The outcome of <paramref name="decision"/> from every closed part of its position (one part, or several when exits
    /// filled partly; dust included). PnL and fees are summed over the parts; the percent is of their summed entry notional.
    /// </summary>
    public static TradeOutcome Closed(TradingDecision decision, IReadOnlyCollection<Position> parts)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (parts.Count == 0 || parts.Any(p => p.ClosedAt is null || p.DecisionId != decision.Id))
        {
            throw new ArgumentException($"an outcome needs the closed parts of decision {decision.Id}", nameof(parts));
        }

        var pnl = parts.Sum(p => p.RealizedPnl!.Value);
        var notional = parts.Sum(p => p.EntryNotional);
        var percent = notional == 0m ? 0m : Math.Round(pnl / notional * 100m, 8, MidpointRounding.AwayFromZero);
        var result = Math.Abs(percent) <= BreakevenPercent ? OutcomeResult.Breakeven : pnl > 0m ? OutcomeResult.Win : OutcomeResult.Loss;
        var first = parts.MinBy(p => p.OpenedAt)!;
        var last = parts.MaxBy(p => p.ClosedAt!.Value)!;
        var trigger = parts.Where(p => p.ExitReason != Trading.ExitReason.Dust).OrderBy(p => p.ClosedAt).FirstOrDefault() ?? last;
        var (mfe, mae) = Excursion(first.Side, first.EntryPrice, parts);
        return new TradeOutcome(
            decision.Id,
            decision.Symbol,
            decision.Strategy,
            decision.ModelUsed,
            decision.Confidence,
            result,
            first.Side,
            decision.CreatedAt,
            last.ClosedAt!.Value,
            pnl,
            percent,
            parts.Sum(p => p.EntryFee + (p.ExitFee ?? 0m)),
            last.ClosedAt!.Value - first.OpenedAt,
            trigger.ExitReason,
            mfe,
            mae,
            decision.Features,
            null,
            parts.Count);
    }

    /// <summary>
    /// The outcome of a decision that never became a trade, as journaled: a HOLD the brain chose is <see cref="OutcomeResult.Held"/>;
    /// a proposed entry turned into a HOLD is <see cref="OutcomeResult.Expired"/> when it was too old, else
    /// <see cref="OutcomeResult.Refused"/> with the hold reason. Null for a decision that was executed (its trade resolves it).
    /// </summary>
    public static TradeOutcome? NotTraded(TradingDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (decision.ExecutedAt is not null || decision.IsEntry)
        {
            return null;
        }

        var result = decision.ProposedAction is null or "hold" or "close"
            ? OutcomeResult.Held
            : decision.HoldReason?.Contains("MaxDecisionAge", StringComparison.Ordinal) == true ? OutcomeResult.Expired : OutcomeResult.Refused;
        var side = decision.ProposedAction switch
        {
            "buy" => PositionSide.Long,
            "sell" => PositionSide.Short,
            _ => (PositionSide?)null,
        };
        return new TradeOutcome(
            decision.Id, decision.Symbol, decision.Strategy, decision.ModelUsed, decision.Confidence, result, side,
            decision.CreatedAt, decision.CreatedAt, 0m, 0m, 0m, null, null, null, null, decision.Features,
            decision.HoldReason ?? decision.Reasoning, 0);
    }

    /// <summary>
    /// Maximum favourable and adverse excursion as percents of the entry price, from the best and worst exit-side prices
    /// the checks saw and every part's exit price (a part closes at a price it reached).
    /// </summary>
    private static (decimal? Mfe, decimal? Mae) Excursion(PositionSide side, decimal entry, IEnumerable<Position> parts)
    {
        if (entry == 0m)
        {
            return (null, null);
        }

        var prices = parts.SelectMany(p => new[] { p.BestPrice, p.WorstPrice, p.ExitPrice }).OfType<decimal>().ToList();
        if (prices.Count == 0)
        {
            return (null, null);
        }

        var sign = side == PositionSide.Long ? 1m : -1m;
        var moves = prices.Select(p => sign * (p - entry) / entry * 100m).ToList();
        return (Math.Round(Math.Max(0m, moves.Max()), 8, MidpointRounding.AwayFromZero), Math.Round(Math.Max(0m, -moves.Min()), 8, MidpointRounding.AwayFromZero));
    }
}
