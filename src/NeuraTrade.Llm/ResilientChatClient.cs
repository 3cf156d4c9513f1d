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
/// a minute. When it gives up, the failure leaves as <see cref="LlmUnavailableException"/> with its kind, the
/// attempts made and the breaker's state, so the caller can say in one line what happened.
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    /// <summary>How long the breaker stays open before it lets a trial call through.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromMinutes(1);

    private readonly ResiliencePipeline _pipeline;
    private readonly CircuitBreakerStateProvider _circuit;

    /// <param name="circuit">Reports the breaker's state outside (<see cref="LlmCircuits"/>); a private one when null.</param>
    public ResilientChatClient(IChatClient inner, BrainOptions options, TimeProvider time, CircuitBreakerStateProvider? circuit = null)
        : base(inner)
    {
        _circuit = circuit ?? new CircuitBreakerStateProvider();
        _pipeline = CreatePipeline(options, time, _circuit);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var attempts = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                ct =>
                {
                    // The retry runs attempts one after another; the breaker refuses before this runs.
                    attempts++;
                    return new ValueTask<ChatResponse>(base.GetResponseAsync(list, options, ct));
                },
                cancellationToken);
        }
        catch (Exception ex) when (Classify(ex, cancellationToken) is { } kind)
        {
            throw new LlmUnavailableException(kind, Describe(ex), ex) { Attempts = attempts, Circuit = CircuitText(ex) };
        }
    }

    /// <summary>Builds the pipeline from <c>AI:</c> settings; <paramref name="circuit"/>, when given, reports the breaker's state.</summary>
    public static ResiliencePipeline CreatePipeline(BrainOptions options, TimeProvider time, CircuitBreakerStateProvider? circuit = null)
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
                BreakDuration = BreakDuration,
                ShouldHandle = transient,
                StateProvider = circuit,
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

    /// <summary>What went wrong, in one line: the vendor's status and message, a connection's error, or the breaker's last failure.</summary>
    private static string Describe(Exception ex) => ex switch
    {
        BrokenCircuitException { InnerException: { } last } => Clip($"the circuit breaker is open after repeated failures, the last: {Describe(last)}"),
        BrokenCircuitException => "the circuit breaker is open after repeated failures",
        TimeoutRejectedException => "the model did not answer within AI:TimeoutSeconds",
        // Status 0: no answer at all; the message is the connection's error.
        ClientResultException { Status: 0 } c => OneLine(c.Message),
        // "HTTP 503 (server_error: )", then the vendor's message on a later line.
        ClientResultException c => OneLine(c.Message.StartsWith("HTTP ", StringComparison.Ordinal) ? c.Message : $"HTTP {c.Status}: {c.Message}"),
        AnthropicApiException a => OneLine($"HTTP {(int)a.StatusCode}: {a.Message}"),
        _ => OneLine(ex.Message),
    };

    /// <summary>The breaker's state now, as the log line says it; when the breaker refused the call, how long it stays open.</summary>
    private string CircuitText(Exception ex) => _circuit.CircuitState switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open when ex is BrokenCircuitException { RetryAfter: { } after } => $"open for {Math.Ceiling(after.TotalSeconds):0} s",
        CircuitState.Open => $"open for {BreakDuration.TotalSeconds:0} s",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Isolated => "isolated",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>The non-empty lines of a message joined into one, at most 300 characters.</summary>
    private static string OneLine(string message) =>
        Clip(string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));

    private static string Clip(string line) => line.Length <= 300 ? line : line[..300];
}
