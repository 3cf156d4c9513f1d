using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// The entry use case, once for every path (a scan, an HTTP decision, the model's <c>place_order</c> and
/// <c>check_risk</c>): read the market, validate a proposal, give an entry the AI risk review
/// (<see cref="EntryReview"/>), gate, admit and place it (<see cref="TradeDesk"/>), and journal the final decision
/// once. Whoever proposed (the brain through <see cref="DecisionMaker"/>, or the model's tool arguments), the proposal
/// takes these same steps. It never asks a brain, so the model's tools can use it without a dependency cycle.
/// </summary>
public sealed class EntryPipeline(
    IExchange exchange,
    DecisionValidator validator,
    EntryReview review,
    TradeDesk desk,
    PortfolioReader portfolios,
    IDecisionStore journal,
    IOptions<BrainOptions> options,
    ILogger<EntryPipeline> logger,
    OutcomeRecorder? outcomes = null)
{
    private readonly BrainOptions _options = options.Value;

    /// <summary>The decision id for a decision asked at <paramref name="createdAt"/> (time-ordered, unique).</summary>
    public static string DecisionId(DateTimeOffset createdAt) => Guid.CreateVersion7(createdAt).ToString("N");

    /// <summary>The ticker and the last <c>AI:HistoryCandles</c> candles of <c>AI:Timeframe</c>: the market a decision is judged against.</summary>
    public async Task<MarketSnapshot> ReadMarketAsync(string symbol, CancellationToken cancellationToken)
    {
        var ticker = await exchange.FetchTickerAsync(symbol, cancellationToken);
        var candles = await exchange.FetchOhlcvAsync(symbol, _options.CandleTimeframe, _options.HistoryCandles, cancellationToken);
        return MarketSnapshot.Create(ticker, candles);
    }

    /// <summary>The portfolio as a brain and the reviewer see it for <paramref name="symbol"/>.</summary>
    public Task<PortfolioSnapshot> ReadPortfolioAsync(string symbol, CancellationToken cancellationToken) =>
        portfolios.ReadAsync(symbol, cancellationToken);

    /// <summary>
    /// Validates <paramref name="proposal"/> against <paramref name="market"/> and, when it is still an entry and
    /// <c>AI:RiskReview</c> is on, has it reviewed (which may shrink or block it, never enlarge it). The decision is
    /// stamped <paramref name="askedAt"/>, when it was asked for. <paramref name="portfolio"/> may be null: it is then
    /// read only if the review needs it.
    /// </summary>
    public async Task<TradingDecision> ValidateAndReviewAsync(
        TradeProposal proposal,
        MarketSnapshot market,
        PortfolioSnapshot? portfolio,
        TradingStrategy strategy,
        DecisionSource source,
        DateTimeOffset askedAt,
        CancellationToken cancellationToken)
    {
        var decision = validator.Validate(proposal, market, strategy, source, DecisionId(askedAt), askedAt);
        if (decision.IsEntry && review.Reviewer is { } reviewer)
        {
            portfolio ??= await portfolios.ReadAsync(market.Symbol, cancellationToken);
            decision = decision.WithReview(await reviewer.ReviewAsync(decision, market, portfolio, cancellationToken));
        }

        logger.Decision(decision);
        return decision;
    }

    /// <summary>
    /// What the risk gate would answer for <paramref name="decision"/> now, placing nothing (the model's
    /// <c>check_risk</c>). A decision that is no longer an entry (validation or the review held it) is refused with its
    /// hold reason.
    /// </summary>
    public async Task<EntryAssessment> AssessAsync(TradingDecision decision, Ticker ticker, CancellationToken cancellationToken) =>
        decision.IsEntry
            ? await desk.AssessAsync(decision, ticker, cancellationToken)
            : new EntryAssessment(RiskVerdict.Reject(decision.HoldReason ?? "the decision is not an entry"), decision, null);

    /// <summary>
    /// Gates, admits and places an entry through the <see cref="TradeDesk"/>, then journals the final decision (executed,
    /// or HOLD with why) once. A HOLD passes straight to the journal.
    /// </summary>
    public async Task<EntryResult> EnterAsync(TradingDecision decision, Ticker ticker, CancellationToken cancellationToken)
    {
        var result = await PlaceAsync(decision, ticker, cancellationToken);
        await JournalAsync(result, cancellationToken);
        return result;
    }

    /// <summary>
    /// The gate, admission and order of <see cref="EnterAsync"/> without the journal write, for a caller that journals in
    /// a batch (a scan: <see cref="JournalBehindAsync"/>) or on its own (<see cref="JournalAsync(EntryResult, CancellationToken)"/>). A scan
    /// passes its <paramref name="view"/> (read once per scan; see <see cref="BookView"/>) and the <paramref name="batch"/> its
    /// entries were admitted in (<see cref="TradeDesk.AdmitAsync"/>).
    /// </summary>
    public Task<EntryResult> PlaceAsync(TradingDecision decision, Ticker ticker, CancellationToken cancellationToken, BookView? view = null, EntryBatch? batch = null) =>
        desk.EnterAsync(decision, ticker, cancellationToken, view, batch);

    /// <summary>Journals an entry's final decision (executed, or HOLD with why) now.</summary>
    public async Task JournalAsync(EntryResult result, CancellationToken cancellationToken)
    {
        await journal.SaveAsync(result.Decision, cancellationToken);
        await ResolveAsync(result.Decision, cancellationToken);
    }

    /// <summary>The result of keeping <paramref name="decision"/> from the desk for <paramref name="reason"/> (a scan that stopped entering): a HOLD that says why.</summary>
    public static EntryResult Withhold(TradingDecision decision, string reason)
    {
        var held = decision.IsEntry ? decision.AsHold(reason) : decision;
        return new EntryResult(held, null, $"hold: {held.HoldReason ?? held.Reasoning}");
    }

    /// <summary>Journals a decision that is not to be executed (an HTTP decision without <c>execute</c>) as it is.</summary>
    public async Task<TradingDecision> JournalAsync(TradingDecision decision, CancellationToken cancellationToken)
    {
        await journal.SaveAsync(decision, cancellationToken);
        return decision;
    }

    /// <summary>
    /// Writes a scan's decisions (executed and held, in the order of its symbols) behind the scan
    /// (<see cref="IDecisionStore.SaveBehindAsync"/>: the table journal queues them and writes them in as few round trips as
    /// it allows, off the scan's path, before any later save or read; a backtest's journal now). A proposed entry that did
    /// not trade is resolved for the learning system.
    /// </summary>
    public async Task JournalBehindAsync(ScanDecisions decisions, CancellationToken cancellationToken)
    {
        await journal.SaveBehindAsync(decisions.Decisions, cancellationToken);
        foreach (var decision in decisions.Decisions)
        {
            await ResolveAsync(decision, cancellationToken);
        }
    }

    /// <summary>A proposed entry that will not trade (refused, expired) is resolved for the learning system once journaled.</summary>
    private Task ResolveAsync(TradingDecision decision, CancellationToken cancellationToken) =>
        outcomes is null || decision.ProposedAction is null ? Task.CompletedTask : outcomes.RecordNotTradedAsync(decision, cancellationToken);
}

/// <summary>
/// A scan's final decisions, kept for one journal write behind the scan instead of writes on its path. Not thread-safe:
/// a scan enters one symbol at a time.
/// </summary>
public sealed class ScanDecisions
{
    private readonly List<TradingDecision> _decisions = [];

    public IReadOnlyList<TradingDecision> Decisions => _decisions;

    public void Add(TradingDecision decision) => _decisions.Add(decision);
}
