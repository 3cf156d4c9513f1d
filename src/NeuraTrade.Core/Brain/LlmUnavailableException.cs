namespace NeuraTrade.Core.Brain;

/// <summary>
/// The LLM could not answer after the resilience layer gave up. <see cref="Kind"/> is one of
/// <c>rate_limited</c>, <c>server_error</c>, <c>timeout</c>, <c>network</c>, <c>circuit_open</c>, <c>auth</c>,
/// <c>bad_request</c>; the brain turns it into a HOLD with the reason.
/// </summary>
public sealed class LlmUnavailableException(string kind, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Kind { get; } = kind;

    /// <summary>Calls made to the model for this request, retries included; 0 when an open circuit breaker refused it.</summary>
    public int Attempts { get; init; }

    /// <summary>The circuit breaker after the failure (<c>closed</c>, <c>open for 60 s</c>, <c>half-open</c>); null when unknown.</summary>
    public string? Circuit { get; init; }
}
