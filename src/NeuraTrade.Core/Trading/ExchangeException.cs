namespace NeuraTrade.Core.Trading;

/// <summary>Unified exchange error kinds, so callers never parse vendor text.</summary>
public enum ExchangeErrorType
{
    BadSymbol,
    InsufficientFunds,
    InvalidOrder,
    RateLimited,
    Network,
    ExchangeNotAvailable,
    Authentication,

    /// <summary>No such order (unknown id, or no longer open when cancelling).</summary>
    OrderNotFound,
}

public sealed class ExchangeException : Exception
{
    public ExchangeException(ExchangeErrorType errorType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorType = errorType;
    }

    public ExchangeErrorType ErrorType { get; }

    /// <summary>True when the same call may succeed later (rate limits, network, exchange down).</summary>
    public bool IsTransient => ErrorType is ExchangeErrorType.RateLimited or ExchangeErrorType.Network or ExchangeErrorType.ExchangeNotAvailable;
}
