using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Reads the market, asks the brain, validates the answer. A brain that fails yields a HOLD with the reason,
/// never an exception out of a scan or an HTTP call.
/// </summary>
public sealed class DecisionMaker(
    IExchange exchange,
    ITradingBrain brain,
    DecisionValidator validator,
    IDecisionStore journal,
    IOptions<BrainOptions> options,
    TimeProvider time,
    ILogger<DecisionMaker> logger,
    IRiskReviewer? reviewer = null)
{
    public const string PreFilterModel = "pre-filter";
    private const int LearningLookback = 20;
    private const int LearningOutcomes = 5;
    private readonly BrainOptions _options = options.Value;

    public string Model => brain.Model;

    public async Task<MarketSnapshot> ReadMarketAsync(string symbol, CancellationToken cancellationToken)
    {
        var ticker = await exchange.FetchTickerAsync(symbol, cancellationToken);
        var candles = await exchange.FetchOhlcvAsync(symbol, _options.Timeframe, _options.HistoryCandles, cancellationToken);
        return MarketSnapshot.Create(ticker, candles);
    }

    public async Task<TradingDecision> DecideAsync(
        MarketSnapshot market,
        PortfolioSnapshot portfolio,
        TradingStrategy strategy,
        DecisionSource source,
        CancellationToken cancellationToken)
    {
        var createdAt = time.GetUtcNow();
        var id = NewId(createdAt);
        var request = new BrainRequest(market, portfolio, strategy)
        {
            Source = source,
            RecentOutcomes = _options.EnableLearning ? await RecentOutcomesAsync(market.Symbol, cancellationToken) : [],
        };
        TradeProposal proposal;
        try
        {
            proposal = await brain.ProposeAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Brain {Model} failed for {Symbol}; holding", brain.Model, market.Symbol);
            proposal = TradeProposal.Hold($"The brain failed: {ex.GetType().Name}.", string.Empty, brain.Model) with { FailureReason = $"brain error: {ex.Message}" };
        }

        var decision = validator.Validate(proposal, market, strategy, source, id, createdAt);
        if (decision.IsEntry && reviewer is not null)
        {
            decision = decision.WithReview(await reviewer.ReviewAsync(decision, market, portfolio, cancellationToken));
        }

        logger.LogInformation(
            "AI decision {DecisionId} {Symbol} {Action} {Confidence} {HoldReason}",
            decision.Id,
            decision.Symbol,
            decision.Action,
            decision.Confidence,
            decision.HoldReason);
        return decision;
    }

    /// <summary>A HOLD made without asking the brain, because no entry could pass the limits anyway.</summary>
    public TradingDecision Skip(MarketSnapshot market, TradingStrategy strategy, DecisionSource source, string reason)
    {
        var createdAt = time.GetUtcNow();
        return new TradingDecision(
            NewId(createdAt), market.Symbol, strategy, TradeAction.Hold, null, 0m, null, null, null, 0m,
            $"Not asked: {reason}.", string.Empty, "No position is opened.", PreFilterModel, 0, createdAt, source, market.Ticker.Mid,
            HoldReason: $"pre-filter: {reason}");
    }

    public async Task<MarketAnalysis> AnalyzeAsync(string symbol, CancellationToken cancellationToken)
    {
        var market = await ReadMarketAsync(symbol, cancellationToken);
        return await brain.AnalyzeAsync(market, cancellationToken);
    }

    private static string NewId(DateTimeOffset createdAt) => Guid.CreateVersion7(createdAt).ToString("N");

    private async Task<IReadOnlyList<RecentOutcome>> RecentOutcomesAsync(string symbol, CancellationToken cancellationToken)
    {
        var latest = await journal.GetLatestAsync(symbol, LearningLookback, cancellationToken);
        return latest
            .Where(d => d.Outcome is DecisionOutcome.Win or DecisionOutcome.Loss && d.Pnl is not null)
            .Take(LearningOutcomes)
            .Select(d => new RecentOutcome((d.ProposedAction ?? d.Action.ToString()).ToLowerInvariant(), d.Confidence, d.Outcome!.Value.ToString().ToLowerInvariant(), d.Pnl!.Value))
            .ToList();
    }
}
