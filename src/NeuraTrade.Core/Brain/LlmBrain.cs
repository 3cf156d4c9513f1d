using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Tools;

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
    ToolRegistry tools,
    LlmEndpoint endpoint,
    ILlmUsageLedger ledger,
    IOptions<BrainOptions> options,
    TimeProvider time,
    ILogger<LlmBrain> logger) : ITradingBrain
{
    public const int MaxRawTextLength = 16_000;
    private readonly BrainOptions _options = options.Value;

    public string Model => endpoint.Model;

    public async Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
    {
        var symbol = request.Market.Symbol;
        var messages = PromptBuilder.ForDecision(request, _options);
        var format = endpoint.SupportsJsonSchema ? ChatResponseFormat.ForJsonSchema(DecisionJson.Schema, "trading_decision") : ChatResponseFormat.Json;
        var call = await CallAsync(messages, format, tools.GetToolsForStrategy(request.Strategy, request.Source), "decision", symbol, cancellationToken);
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
        var call = await CallAsync(messages, ChatResponseFormat.Json, tools.GetToolsForStrategy(TradingStrategy.Analysis), "analysis", market.Symbol, cancellationToken);
        var tokens = (int)Math.Min(int.MaxValue, call.Trace.TotalTokens);
        var reason = string.Empty;
        if (call.Failure is null && DecisionJson.TryReadAnalysis(call.Text, out var a, out reason))
        {
            return new MarketAnalysis(market.Symbol, a.Trend, a.Analysis, a.Reasoning, a.Confidence, Model, tokens, market.Indicators, market.Ticker.Last, market.Ticker.Timestamp);
        }

        var why = call.Failure ?? $"invalid model answer: {reason}";
        return new MarketAnalysis(market.Symbol, "unknown", string.Empty, why, 0m, Model, tokens, market.Indicators, market.Ticker.Last, market.Ticker.Timestamp);
    }

    private TradeProposal Hold(string failure, LlmTrace trace) =>
        TradeProposal.Hold(failure, string.Empty, Model) with { FailureReason = failure, Trace = trace, TokensUsed = (int)Math.Min(int.MaxValue, trace.TotalTokens) };

    private async Task<LlmCall> CallAsync(
        IList<ChatMessage> messages,
        ChatResponseFormat format,
        IReadOnlyList<AIFunction> functions,
        string purpose,
        string symbol,
        CancellationToken cancellationToken)
    {
        var promptHash = PromptBuilder.Hash(messages);
        var now = time.GetUtcNow();
        if (_options.DailyBudgetUsd > 0m)
        {
            var today = await ledger.GetDailyUsageAsync(DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);
            if (today.CostUsd >= _options.DailyBudgetUsd)
            {
                var spent = $"daily LLM budget spent: {today.CostUsd:0.####} of AI:DailyBudgetUsd {_options.DailyBudgetUsd} USD; no call made";
                return new LlmCall(null, spent, new LlmTrace(endpoint.Provider, Model, promptHash, 0, 0, 0m, 0, 0, "budget", [], null));
            }
        }

        var chatOptions = new ChatOptions
        {
            ModelId = endpoint.Model,
            Temperature = _options.Temperature,
            MaxOutputTokens = _options.MaxTokens,
            ResponseFormat = format,
        };
        if (functions.Count > 0)
        {
            chatOptions.Tools = [.. functions];
            chatOptions.ToolMode = ChatToolMode.Auto;
        }

        using var scope = LlmCallScope.Begin(_options.TokenBudgetPerDecision);
        var started = time.GetTimestamp();
        string? text = null;
        string? failure = null;
        var status = "ok";
        UsageDetails? usage = null;
        try
        {
            var response = await chat.GetResponseAsync(messages, chatOptions, cancellationToken);
            text = response.Text;
            usage = response.Usage;
            if (response.FinishReason == ChatFinishReason.Length)
            {
                status = "truncated";
                failure = $"the answer was cut off at AI:MaxTokens {_options.MaxTokens}";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            (status, failure) = ex switch
            {
                LlmUnavailableException u => (u.Kind, $"LLM unavailable ({u.Kind}): {u.Message}"),
                TokenBudgetExceededException b => ("token_budget", $"token budget exceeded: {b.Message}"),
                _ => ("error", $"LLM call failed: {ex.GetType().Name}: {ex.Message}"),
            };
            logger.LogWarning(ex, "LLM {Provider} {Model} failed for {Symbol} ({Status})", endpoint.Provider, Model, symbol, status);
        }

        // The scope counts every round when the pipeline has the budget client; otherwise take the response's sum.
        var input = scope.Rounds > 0 ? scope.InputTokens : usage?.InputTokenCount ?? 0;
        var output = scope.Rounds > 0 ? scope.OutputTokens : usage?.OutputTokenCount ?? 0;
        var cost = _options.Prices.TryGetValue(endpoint.Model, out var price) ? price.Cost(input, output) : (decimal?)null;
        var latencyMs = (long)time.GetElapsedTime(started).TotalMilliseconds;
        var raw = text is { Length: > MaxRawTextLength } ? text[..MaxRawTextLength] : text;
        var trace = new LlmTrace(endpoint.Provider, Model, promptHash, input, output, cost, latencyMs, Math.Max(scope.Rounds, text is null ? 0 : 1), status, [.. scope.ToolCalls], raw);
        await RecordAsync(new LlmUsageRecord(Guid.CreateVersion7(now).ToString("N"), now, endpoint.Provider, Model, purpose, symbol, input, output, cost, latencyMs, trace.Rounds, status), cancellationToken);
        return new LlmCall(text, failure, trace);
    }

    /// <summary>A ledger that cannot write must not cost the decision; the call is logged instead.</summary>
    private async Task RecordAsync(LlmUsageRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await ledger.RecordAsync(record, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "LLM usage not recorded: {Provider} {Model} {InputTokens} in {OutputTokens} out {CostUsd} USD", record.Provider, record.Model, record.InputTokens, record.OutputTokens, record.CostUsd);
        }
    }

    private sealed record LlmCall(string? Text, string? Failure, LlmTrace Trace);
}
