using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;

namespace NeuraTrade.Core.Brain;

/// <summary>What one LLM request returned: the text, or why there is none, and its audit trace.</summary>
public sealed record LlmCall(string? Text, string? Failure, LlmTrace Trace);

/// <summary>
/// One LLM request as every brain-side caller makes it: the day's budget checked first, the token-budget
/// scope around the tool loop, failures turned into a reason instead of an exception, and a ledger row
/// (provider, model, tokens, USD, latency, status) for every call made.
/// </summary>
public sealed class LlmCaller(IChatClient chat, LlmEndpoint endpoint, ILlmUsageLedger ledger, BrainOptions options, TimeProvider time, ILogger logger)
{
    public const int MaxRawTextLength = 16_000;

    private static readonly EventId LlmUnavailable = new(3101, nameof(LlmUnavailable));
    private static readonly EventId LlmFailed = new(3102, nameof(LlmFailed));

    private string Model => endpoint.Model;

    public async Task<LlmCall> CallAsync(
        IList<ChatMessage> messages,
        ChatResponseFormat format,
        IReadOnlyList<AIFunction> functions,
        string purpose,
        string symbol,
        CancellationToken cancellationToken)
    {
        var promptHash = PromptBuilder.Hash(messages);
        var now = time.GetUtcNow();
        if (options.DailyBudgetUsd > 0m)
        {
            var today = await ledger.GetDailyUsageAsync(DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);
            if (today.CostUsd >= options.DailyBudgetUsd)
            {
                var spent = $"daily LLM budget spent: {today.CostUsd:0.####} of AI:DailyBudgetUsd {options.DailyBudgetUsd} USD; no call made";
                return new LlmCall(null, spent, new LlmTrace(endpoint.Provider, Model, promptHash, 0, 0, 0m, 0, 0, "budget", [], null));
            }
        }

        var chatOptions = new ChatOptions
        {
            ModelId = endpoint.Model,
            Temperature = options.Temperature,
            MaxOutputTokens = options.MaxTokens,
            ResponseFormat = format,
        };
        if (functions.Count > 0)
        {
            chatOptions.Tools = [.. functions];
            chatOptions.ToolMode = ChatToolMode.Auto;
        }

        using var scope = LlmCallScope.Begin(options.TokenBudgetPerDecision);
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
                failure = $"the answer was cut off at AI:MaxTokens {options.MaxTokens}";
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
            LogFailure(ex, symbol, status);
        }

        // The scope counts every round when the pipeline has the budget client; otherwise take the response's sum.
        var input = scope.Rounds > 0 ? scope.InputTokens : usage?.InputTokenCount ?? 0;
        var output = scope.Rounds > 0 ? scope.OutputTokens : usage?.OutputTokenCount ?? 0;
        var cost = options.Prices.TryGetValue(endpoint.Model, out var price) ? price.Cost(input, output) : (decimal?)null;
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
            logger.LogFailure(LogLevel.Error, ex, "LLM usage not recorded: {Provider} {Model} {InputTokens} in {OutputTokens} out {CostUsd} USD: {Reason}", record.Provider, record.Model, record.InputTokens, record.OutputTokens, record.CostUsd);
        }
    }

    /// <summary>
    /// An LLM that is down is expected and handled (the brain holds): one Warning line per call saying which provider,
    /// why, and what the retries and the breaker did; the exception's stack goes to Debug.
    /// </summary>
    private void LogFailure(Exception ex, string symbol, string status)
    {
        if (ex is LlmUnavailableException u)
        {
            logger.LogFailure(
                LogLevel.Warning,
                LlmUnavailable,
                ex,
                "LLM {Provider} {Model} unavailable for {Symbol} after {Attempts} of {MaxAttempts} attempts, circuit breaker {Circuit}; holding: {Reason}",
                endpoint.Provider,
                Model,
                symbol,
                u.Attempts,
                options.MaxRetries + 1,
                u.Circuit ?? "unknown");
            return;
        }

        logger.LogFailure(LogLevel.Warning, LlmFailed, ex, "LLM {Provider} {Model} failed for {Symbol} ({Status}); holding: {Reason}", endpoint.Provider, Model, symbol, status);
    }
}
