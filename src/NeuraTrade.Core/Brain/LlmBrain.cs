using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Brain;

/// <summary>Which LLM a brain talks to, and whether it accepts a JSON schema for structured output.</summary>
public sealed record LlmEndpoint(string Provider, string Model, bool SupportsJsonSchema);

/// <summary>
/// A brain that asks an LLM through <see cref="IChatClient"/> (any provider). It checks the day's budget
/// before calling, offers the strategy's tools, reads the answer strictly (<see cref="DecisionJson"/>), and
/// records every call in the ledger. It never throws for an LLM problem: an outage, an open breaker, a spent
/// budget, a truncated or unreadable answer all become a HOLD whose reason says so, with the raw text kept.
/// </summary>
public sealed class LlmBrain(
    IChatClient chat,
    IToolCatalog tools,
    LlmEndpoint endpoint,
    ILlmUsageLedger ledger,
    IOptions<BrainOptions> options,
    TimeProvider time,
    ILogger<LlmBrain> logger) : ITradingBrain
{
    public const int MaxRawTextLength = LlmCaller.MaxRawTextLength;
    private readonly BrainOptions _options = options.Value;
    private readonly LlmCaller _caller = new(chat, endpoint, ledger, options.Value, time, logger);

    // One format object for every decision: the cassette's key caches the format's JSON per object.
    private readonly ChatResponseFormat _format = endpoint.SupportsJsonSchema ? ChatResponseFormat.ForJsonSchema(DecisionJson.Schema, "trading_decision") : ChatResponseFormat.Json;

    public string Model => endpoint.Model;

    public async Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
    {
        var symbol = request.Market.Symbol;
        var offered = tools.GetToolsForStrategy(request.Strategy, request.Source);
        var messages = PromptBuilder.ForDecision(request, _options, offered);
        var call = await _caller.CallAsync(messages, _format, offered, "decision", symbol, cancellationToken);
        if (call.Failure is { } failure)
        {
            return Hold(failure, call.Trace);
        }

        if (!DecisionJson.TryRead(call.Text, symbol, Model, out var proposal, out var reason))
        {
            logger.LogWarning("Unusable answer from {Model} for {Symbol}: {Reason}", Model, symbol, reason);
            return Hold($"invalid model answer: {reason}", call.Trace);
        }

        return proposal with { TokensUsed = (int)Math.Min(int.MaxValue, call.Trace.TotalTokens), Trace = call.Trace };
    }

    public async Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken)
    {
        var messages = PromptBuilder.ForAnalysis(market);
        var call = await _caller.CallAsync(messages, ChatResponseFormat.Json, tools.GetToolsForStrategy(TradingStrategy.Analysis), "analysis", market.Symbol, cancellationToken);
        var tokens = (int)Math.Min(int.MaxValue, call.Trace.TotalTokens);
        var reason = string.Empty;
        if (call.Failure is null && DecisionJson.TryReadAnalysis(call.Text, out var a, out reason))
        {
            return new MarketAnalysis(market.Symbol, a.Trend, a.Analysis, a.Reasoning, a.Confidence, Model, tokens, market.Indicators, market.Ticker.Last, market.Ticker.Timestamp)
            {
                SetupStrength = a.SetupStrength,
            };
        }

        var why = call.Failure ?? $"invalid model answer: {reason}";
        return new MarketAnalysis(market.Symbol, "unknown", string.Empty, why, 0m, Model, tokens, market.Indicators, market.Ticker.Last, market.Ticker.Timestamp);
    }

    private TradeProposal Hold(string failure, LlmTrace trace) =>
        TradeProposal.Hold(failure, string.Empty, Model) with { FailureReason = failure, Trace = trace, TokensUsed = (int)Math.Min(int.MaxValue, trace.TotalTokens) };

}
