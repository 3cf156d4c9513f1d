using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Functions.Api;

/// <summary><c>POST /api/v1/ai/analyze</c> body.</summary>
public sealed record AnalyzeRequest(string? Symbol);

/// <summary>
/// <c>POST /api/v1/ai/decision</c> body; strategy defaults to scalping. With <c>execute: true</c> an entry is
/// placed through the same risk gate and trade desk as the scanner; by default nothing is traded.
/// </summary>
public sealed record DecisionRequest(string? Symbol, string? Strategy, bool? Execute = null);

/// <summary><c>POST /api/v1/ai/scalping/toggle</c> body.</summary>
public sealed record ToggleRequest(bool? Enabled);

public sealed record ToggleResponse(bool Active);

/// <summary>
/// A market read: <c>confidence</c> is how sure the brain is of its trend read; <c>setup_strength</c> (0..1, null when
/// not given) how strong the best entry setup is.
/// </summary>
public sealed record AnalysisResponse(
    string Symbol,
    string Trend,
    string Analysis,
    string Reasoning,
    decimal Confidence,
    decimal? SetupStrength,
    decimal Price,
    MarketIndicators Indicators,
    string ModelUsed,
    int TokensUsed,
    DateTimeOffset MarketTime)
{
    public static AnalysisResponse From(MarketAnalysis a) =>
        new(a.Symbol, a.Trend, a.Analysis, a.Reasoning, a.Confidence, a.SetupStrength, a.Price, a.Indicators, a.ModelUsed, a.TokensUsed, a.CreatedAt);
}

/// <summary>
/// The seed's decision fields plus why a decision is a HOLD and what became of it. <c>confidence</c> is how sure the brain
/// is of the action it proposed (for a hold: that staying out is right; 0 when it did not judge; for an entry the engine
/// held, <c>proposed_action</c>'s); <c>setup_strength</c> (0..1, null when not given) is how strong the setup it saw was,
/// whatever it decided.
/// </summary>
public sealed record DecisionResponse(
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
    decimal? SetupStrength,
    string Reasoning,
    string MarketAnalysis,
    string RiskAssessment,
    string ModelUsed,
    int TokensUsed,
    DateTimeOffset CreatedAt,
    DecisionSource Source,
    decimal MarketPrice,
    string? HoldReason,
    string? ProposedAction,
    DateTimeOffset? ExecutedAt,
    DecisionOutcome? Outcome,
    decimal? Pnl,
    OrderType OrderType,
    string? Invalidation,
    LlmCallView? Llm)
{
    public static DecisionResponse From(TradingDecision d) => new(
        d.Id, d.Symbol, d.Strategy, d.Action, d.Side, d.SizePercent, d.EntryPrice, d.StopLoss, d.TakeProfit, d.Confidence, d.SetupStrength,
        d.Reasoning, d.MarketAnalysis, d.RiskAssessment, d.ModelUsed, d.TokensUsed, d.CreatedAt, d.Source, d.MarketPrice,
        d.HoldReason, d.ProposedAction, d.ExecutedAt, d.Outcome, d.Pnl, d.OrderType, d.Invalidation, LlmCallView.From(d.Trace));
}

/// <summary>What the LLM call behind a decision cost and did (the raw answer stays in the journal).</summary>
public sealed record LlmCallView(
    string Provider,
    string Status,
    long InputTokens,
    long OutputTokens,
    decimal? CostUsd,
    long LatencyMs,
    int Rounds,
    IReadOnlyList<ToolCallView> ToolCalls,
    string PromptHash)
{
    public static LlmCallView? From(LlmTrace? t) => t is null
        ? null
        : new(t.Provider, t.Status, t.InputTokens, t.OutputTokens, t.CostUsd, t.LatencyMs, t.Rounds,
            t.ToolCalls.Select(c => new ToolCallView(c.Name, c.Arguments, c.Failed, c.DurationMs)).ToList(), t.PromptHash);
}

public sealed record ToolCallView(string Name, string Arguments, bool Failed, long DurationMs);
