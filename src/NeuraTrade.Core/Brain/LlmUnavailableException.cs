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
}
