using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Asks the brain, then hands its proposal to the <see cref="EntryPipeline"/> (validation, AI review, and for an
/// executed decision the gate, the order and the journal), the same steps every entry path takes. A brain that fails
/// yields a HOLD with the reason, never an exception out of a scan or an HTTP call.
/// </summary>
public sealed class DecisionMaker(
    ITradingBrain brain,
    EntryPipeline entries,
    IDecisionStore journal,
    IOptions<BrainOptions> options,
    TimeProvider time,
    ILogger<DecisionMaker> logger,
    ILearningSource? learning = null,
    AdaptiveConfidence? adaptive = null)
{
    public const string PreFilterModel = "pre-filter";

    /// <summary>How the hold reason of a decision made without asking the brain starts.</summary>
    public const string PreFilterPrefix = "pre-filter: ";

    /// <summary>How a reason the learning statistics give (a pause, the adaptive minimum confidence) starts.</summary>
    public const string LearningPrefix = "learning: ";
    private const int LearningLookback = 20;
    private const int LearningOutcomes = 5;
    private readonly BrainOptions _options = options.Value;

    public string Model => brain.Model;

    public Task<MarketSnapshot> ReadMarketAsync(string symbol, CancellationToken cancellationToken) =>
        entries.ReadMarketAsync(symbol, cancellationToken);

    /// <summary>
    /// The whole use case for one symbol (an HTTP decision): reads the market and the portfolio, decides, and when
    /// <paramref name="execute"/> gates and places the entry; the final decision is journaled once and returned.
    /// </summary>
    public async Task<TradingDecision> DecideAndEnterAsync(string symbol, TradingStrategy strategy, DecisionSource source, bool execute, CancellationToken cancellationToken)
    {
        var market = await entries.ReadMarketAsync(symbol, cancellationToken);
        var portfolio = await entries.ReadPortfolioAsync(symbol, cancellationToken);
        var decision = await DecideAsync(market, portfolio, strategy, source, cancellationToken);
        return execute
            ? (await entries.EnterAsync(decision, market.Ticker, cancellationToken)).Decision
            : await entries.JournalAsync(decision, cancellationToken);
    }

    /// <summary>The brain's proposal for <paramref name="market"/>, validated and reviewed by the <see cref="EntryPipeline"/>; nothing is placed or journaled.</summary>
    public async Task<TradingDecision> DecideAsync(
        MarketSnapshot market,
        PortfolioSnapshot portfolio,
        TradingStrategy strategy,
        DecisionSource source,
        CancellationToken cancellationToken)
    {
        var askedAt = time.GetUtcNow();
        // With the learning system's outcomes, its context replaces the journal's last five results.
        var context = _options.EnableLearning && learning is not null
            ? await learning.ForAsync(market.Symbol, strategy, MarketFeatures.Of(market, askedAt), askedAt, cancellationToken)
            : null;
        var request = new BrainRequest(market, portfolio, strategy)
        {
            Source = source,
            RecentOutcomes = _options.EnableLearning && learning is null ? await RecentOutcomesAsync(market.Symbol, cancellationToken) : [],
            Learning = context,
        };
        TradeProposal proposal;
        try
        {
            proposal = await brain.ProposeAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogFailure(LogLevel.Warning, ex, "Brain {Model} failed for {Symbol}; holding: {Reason}", brain.Model, market.Symbol);
            proposal = TradeProposal.Hold($"The brain failed: {ex.GetType().Name}.", string.Empty, brain.Model) with { FailureReason = $"brain error: {FailureLogging.Reason(ex)}" };
        }

        var decided = await entries.ValidateAndReviewAsync(proposal, market, portfolio, strategy, source, askedAt, cancellationToken);
        return await AdaptAsync(decided, cancellationToken);
    }

    /// <summary>
    /// For a scan: until disposed, the learning statistics (<c>AI:AdaptiveMinConfidence</c>) judge every symbol of
    /// <paramref name="strategy"/> from one read of its outcomes (<see cref="AdaptiveConfidence.BeginScan"/>); null when off.
    /// </summary>
    public IDisposable? BeginScan(TradingStrategy strategy) => adaptive is { Enabled: true } ? adaptive.BeginScan(strategy) : null;

    /// <summary>
    /// Why a scan should not ask the brain about <paramref name="symbol"/> because the learning statistics paused it
    /// (<c>AI:AdaptiveMinConfidence</c>, <see cref="AdaptiveConfidence"/>); null when it may ask (or the option is off).
    /// </summary>
    public async Task<string?> PausedAsync(string symbol, TradingStrategy strategy, CancellationToken cancellationToken)
    {
        if (adaptive is not { Enabled: true })
        {
            return null;
        }

        var verdict = await adaptive.JudgeAsync(symbol, strategy, cancellationToken);
        return verdict.Paused ? $"{LearningPrefix}{verdict.Reason}" : null;
    }

    /// <summary>An entry below the adaptive minimum confidence becomes a HOLD that says why (code, after the brain: it cannot argue with it).</summary>
    private async Task<TradingDecision> AdaptAsync(TradingDecision decided, CancellationToken cancellationToken)
    {
        if (adaptive is not { Enabled: true } || !decided.IsEntry)
        {
            return decided;
        }

        var verdict = await adaptive.JudgeAsync(decided.Symbol, decided.Strategy, cancellationToken);
        return decided.Confidence >= verdict.EffectiveMinConfidence
            ? decided
            : decided.AsHold(string.Create(CultureInfo.InvariantCulture, $"{LearningPrefix}confidence {decided.Confidence} is below the adaptive minimum {verdict.EffectiveMinConfidence}: {verdict.Reason}"));
    }

    /// <summary>A HOLD made without asking the brain, because no entry could pass the limits anyway.</summary>
    public TradingDecision Skip(MarketSnapshot market, TradingStrategy strategy, DecisionSource source, string reason)
    {
        var createdAt = time.GetUtcNow();
        return new TradingDecision(
            EntryPipeline.DecisionId(createdAt), market.Symbol, strategy, TradeAction.Hold, null, 0m, null, null, null, 0m,
            $"Not asked: {reason}.", string.Empty, "No position is opened.", PreFilterModel, 0, createdAt, source, market.Ticker.Mid,
            HoldReason: PreFilterPrefix + reason)
        {
            Features = MarketFeatures.Of(market, createdAt),
        };
    }

    /// <summary>
    /// Of a scan's decisions (null where no market was read): how many the brain was asked about, and how many the economy
    /// screen kept from it (a <see cref="Skip"/> whose reason starts with <see cref="Risk.MarketScreen.ReasonPrefix"/>).
    /// </summary>
    public static (int Asked, int Screened) CountAsked(IEnumerable<TradingDecision?> decisions)
    {
        int asked = 0, screened = 0;
        foreach (var d in decisions)
        {
            if (d is null)
            {
                continue;
            }

            if (d.ModelUsed != PreFilterModel)
            {
                asked++;
            }
            else if (IsScreened(d))
            {
                screened++;
            }
        }

        return (asked, screened);
    }

    /// <summary>Whether <paramref name="decision"/> is a HOLD the economy screen made without asking the model.</summary>
    public static bool IsScreened(TradingDecision decision) =>
        decision.ModelUsed == PreFilterModel && decision.HoldReason is { } why && why.StartsWith(PreFilterPrefix + Risk.MarketScreen.ReasonPrefix, StringComparison.Ordinal);

    public async Task<MarketAnalysis> AnalyzeAsync(string symbol, CancellationToken cancellationToken)
    {
        var market = await ReadMarketAsync(symbol, cancellationToken);
        return await brain.AnalyzeAsync(market, cancellationToken);
    }

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
