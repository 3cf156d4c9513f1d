using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Brain;

/// <summary>The port every brain implements: the deterministic rules brain, or an LLM behind IChatClient.</summary>
public interface ITradingBrain
{
    /// <summary>The model id written on every decision (e.g. <c>rules-v1</c>).</summary>
    string Model { get; }

    Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken);

    Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken);
}

/// <summary>Everything a brain may use for one decision.</summary>
public sealed record BrainRequest(MarketSnapshot Market, PortfolioSnapshot Portfolio, TradingStrategy Strategy)
{
    /// <summary>Where the decision is asked for (execution tools are never offered during scans).</summary>
    public DecisionSource Source { get; init; } = DecisionSource.Api;

    /// <summary>For strategy arbitrage: what a scan of the venues' books found (every pair net of costs); null when no venues were read.</summary>
    public ArbitrageScan? Arbitrage { get; init; }

    /// <summary>Outcomes of recent executed decisions on the symbol, newest first (when learning is on).</summary>
    public IReadOnlyList<RecentOutcome> RecentOutcomes { get; init; } = [];

    /// <summary>The learning system's context (when learning is on and outcomes are kept); null otherwise.</summary>
    public LearningContext? Learning { get; init; }
}

/// <summary>A past decision's result, as the learning context shows it.</summary>
public sealed record RecentOutcome(string Action, decimal Confidence, string Outcome, decimal Pnl);

/// <summary>The portfolio as the brain sees it.</summary>
public sealed record PortfolioSnapshot(string QuoteCurrency, decimal QuoteFree, int OpenPositions, bool HoldsSymbol, decimal DailyPnl);

/// <summary>A read of the market without a trade; <see cref="Confidence"/> is how sure the brain is of its trend read (0: not judged).</summary>
public sealed record MarketAnalysis(
    string Symbol,
    string Trend,
    string Analysis,
    string Reasoning,
    decimal Confidence,
    string ModelUsed,
    int TokensUsed,
    Markets.MarketIndicators Indicators,
    decimal Price,
    DateTimeOffset CreatedAt)
{
    /// <summary>How strong the best entry setup in this market is, 0 to 1 (<see cref="TradeProposal.SetupStrength"/>); null when not given.</summary>
    public decimal? SetupStrength { get; init; }
}
