using System.Collections.Concurrent;
using Polly.CircuitBreaker;

namespace NeuraTrade.Llm;

/// <summary>
/// The LLM circuit breakers of this process by role (<see cref="Brain"/>, <see cref="RiskReview"/>), registered when their
/// client is built: the health endpoint reports their states without calling the model (no token spent).
/// </summary>
public sealed class LlmCircuits
{
    public const string Brain = "brain";

    public const string RiskReview = "risk_review";

    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);

    /// <summary>A new breaker state for <paramref name="role"/>, to hand to <see cref="LlmComposition.BuildPipeline"/>.</summary>
    public CircuitBreakerStateProvider Register(string role) => _circuits.GetOrAdd(role, _ => new CircuitBreakerStateProvider());

    /// <summary>Each registered breaker's state: <c>closed</c>, <c>open</c>, <c>half_open</c> or <c>isolated</c>, by role.</summary>
    public IReadOnlyDictionary<string, string> States =>
        _circuits.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => Name(c.Value.CircuitState), StringComparer.Ordinal);

    /// <summary>A breaker state as the API writes it.</summary>
    public static string Name(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half_open",
        CircuitState.Isolated => "isolated",
        _ => state.ToString().ToLowerInvariant(),
    };
}
