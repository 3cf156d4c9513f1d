using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Diagnostics;

/// <summary>
/// How a failure the code handles is logged. A failure from outside (a venue, an LLM or storage that is down, slow or
/// refusing) is expected: it gets one line at the caller's level ending with the reason, and its stack only at Debug.
/// A stack trace per symbol per scan at Warning reads as a crash and buries the reason. A defect (a null dereference,
/// a bad argument, an invalid state or cast: a bug here or in a library) keeps its stack at the caller's level.
/// </summary>
public static class FailureLogging
{
    /// <summary>Longest reason written, in characters; the first line of a message says what happened.</summary>
    public const int MaxReasonLength = 240;

    /// <summary>
    /// Logs <paramref name="exception"/>, handled by the caller. <paramref name="message"/> is a constant template whose
    /// last placeholder is <c>{Reason}</c>; <paramref name="args"/> fill the others, and the reason (<see cref="Reason"/>) is added.
    /// </summary>
    public static void LogFailure(this ILogger logger, LogLevel level, Exception exception, string message, params object?[] args) =>
        logger.LogFailure(level, default, exception, message, args);

    /// <inheritdoc cref="LogFailure(ILogger, LogLevel, Exception, string, object?[])"/>
    public static void LogFailure(this ILogger logger, LogLevel level, EventId eventId, Exception exception, string message, params object?[] args)
    {
        object?[] all = [.. args, Reason(exception)];
#pragma warning disable CA2254 // The template is the caller's constant, passed through unchanged.
        if (IsDefect(exception))
        {
            logger.Log(level, eventId, exception, message, all);
            return;
        }

        logger.Log(level, eventId, message, all);
        logger.Log(LogLevel.Debug, eventId, exception, message, all);
#pragma warning restore CA2254
    }

    /// <summary>
    /// The failure in one line: its kind and the first line of its message (a storage error's status line is added;
    /// for several failures, how many and the last one), at most <see cref="MaxReasonLength"/> characters.
    /// </summary>
    public static string Reason(Exception exception)
    {
        var reason = exception switch
        {
            LlmUnavailableException u => $"{u.Kind}: {OneLine(u.Message)}",
            ExchangeException e => $"{e.ErrorType}: {OneLine(e.Message)}",
            AggregateException { InnerExceptions.Count: > 1 } a => $"{a.InnerExceptions.Count} failures, the last: {Reason(a.InnerExceptions[^1])}",
            AggregateException { InnerExceptions.Count: 1 } a => Reason(a.InnerExceptions[0]),
            _ => $"{exception.GetType().Name}: {OneLine(exception.Message)}",
        };
        return reason.Length <= MaxReasonLength ? reason : string.Concat(reason.AsSpan(0, MaxReasonLength - 1), "…");
    }

    /// <summary>True for a programming error anywhere in the chain (inner and aggregated exceptions included): its stack is the point.</summary>
    public static bool IsDefect(Exception exception) => exception switch
    {
        AggregateException a => a.InnerExceptions.Any(IsDefect),
        NullReferenceException or ArgumentException or InvalidCastException or IndexOutOfRangeException or KeyNotFoundException
            or NotImplementedException or NotSupportedException or InvalidOperationException or FormatException or ArithmeticException => true,
        _ => exception.InnerException is { } inner && IsDefect(inner),
    };

    /// <summary>The first non-empty line; a later <c>Status:</c> line (Azure SDK errors put the HTTP status there) is kept with it.</summary>
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return string.Empty;
        }

        var status = lines.Skip(1).FirstOrDefault(l => l.StartsWith("Status:", StringComparison.Ordinal));
        return status is null || lines[0].Contains(status, StringComparison.Ordinal) ? lines[0] : $"{lines[0]} ({status})";
    }
}
