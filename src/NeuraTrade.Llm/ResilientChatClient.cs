using System.ClientModel;
using Anthropic.Exceptions;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Brain;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace NeuraTrade.Llm;

/// <summary>
/// The one resilience layer around a vendor chat client, per model round: a timeout per attempt, retries
/// with exponential backoff and jitter on 429, 5xx, timeouts and network failures (a Retry-After header
/// wins, up to <see cref="MaxRetryAfter"/>), and a circuit breaker sized for a caller that makes a few calls
/// a minute. When it gives up, the failure leaves as <see cref="LlmUnavailableException"/> with its kind.
/// </summary>
public sealed class ResilientChatClient(IChatClient inner, ResiliencePipeline pipeline) : DelegatingChatClient(inner)
{
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        try
        {
            return await pipeline.ExecuteAsync(ct => new ValueTask<ChatResponse>(base.GetResponseAsync(list, options, ct)), cancellationToken);
        }
        catch (Exception ex) when (Classify(ex, cancellationToken) is { } kind)
        {
            throw new LlmUnavailableException(kind, Describe(ex), ex);
        }
    }

    /// <summary>Builds the pipeline from <c>AI:</c> settings.</summary>
    public static ResiliencePipeline CreatePipeline(BrainOptions options, TimeProvider time)
    {
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
                ShouldHandle = transient,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Exception)),
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromMinutes(2),
                BreakDuration = TimeSpan.FromMinutes(1),
                ShouldHandle = transient,
            })
            .AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds))
            .Build();
    }

    /// <summary>True for failures worth another try: rate limits, server errors, timeouts, connection failures.</summary>
    internal static bool IsTransient(Exception ex) => ex switch
    {
        TimeoutRejectedException => true,
        ClientResultException c => c.Status is 0 or 408 or 429 or >= 500,
        AnthropicApiException a => (int)a.StatusCode is 408 or 429 or >= 500,
        AnthropicIOException => true,
        HttpRequestException => true,
        _ => false,
    };

    /// <summary>The kind of an LLM failure, or null when it is not one (a cancellation asked by the caller).</summary>
    internal static string? Classify(Exception ex, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        int? status = ex switch
        {
            ClientResultException c => c.Status,
            AnthropicApiException a => (int)a.StatusCode,
            _ => null,
        };
        return (ex, status) switch
        {
            (BrokenCircuitException, _) => "circuit_open",
            (TimeoutRejectedException or OperationCanceledException, _) => "timeout",
            (_, 429) => "rate_limited",
            (_, 401 or 403) => "auth",
            (_, >= 500) => "server_error",
            (_, 0) or (AnthropicIOException or HttpRequestException, _) => "network",
            (_, >= 400) => "bad_request",
            _ => "error",
        };
    }

    private static TimeSpan? RetryAfter(Exception? ex)
    {
        if (ex is ClientResultException c && c.GetRawResponse() is { } response
            && response.Headers.TryGetValue("Retry-After", out var value) && value is not null)
        {
            // LLM APIs send delta-seconds; the HTTP-date form falls back to the backoff.
            if (int.TryParse(value, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(Math.Min(seconds, MaxRetryAfter.TotalSeconds));
            }
        }

        return null;
    }

    private static string Describe(Exception ex) => ex switch
    {
        BrokenCircuitException => "the circuit breaker is open after repeated failures; calls resume after the break",
        TimeoutRejectedException => "the model did not answer within AI:TimeoutSeconds",
        ClientResultException c => $"HTTP {c.Status}: {First(c.Message)}",
        AnthropicApiException a => $"HTTP {(int)a.StatusCode}: {First(a.Message)}",
        _ => First(ex.Message),
    };

    private static string First(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 300 ? line : line[..300];
    }
}
