namespace NeuraTrade.Core.Brain;

/// <summary>
/// The AI risk review an entry gets, whoever proposes it (a scan, an HTTP decision, the model's <c>place_order</c>):
/// the reviewer when <c>AI:RiskReview</c> is on, else none. One registration, held by the
/// <see cref="Scalping.EntryPipeline"/> every entry takes, so no entry path can skip it.
/// </summary>
public sealed record EntryReview(IRiskReviewer? Reviewer);
