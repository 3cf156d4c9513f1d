using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace NeuraTrade.IntegrationTests;

/// <summary>One log entry as a console would print it: the message, then the exception (type, message, stack) if any.</summary>
public sealed record CapturedLog(LogLevel Level, string Category, EventId EventId, string Message, Exception? Exception)
{
    /// <summary>The structured fields of the entry (its template's placeholders and <c>{OriginalFormat}</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Fields { get; init; } = [];

    /// <summary>The value of the field <paramref name="name"/>; fails when the entry has no such field.</summary>
    public object? Field(string name) => Fields.Single(f => f.Key == name).Value;

    public string Text => Exception is null ? Message : $"{Message}{Environment.NewLine}{Exception}";
}

/// <summary>Keeps every log entry of the app, at every level, to prove what is logged where.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    public IReadOnlyList<CapturedLog> AtLeast(LogLevel level) => [.. _entries.Where(e => e.Level >= level)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new CapturedLog(logLevel, category, eventId, formatter(state, exception), exception)
            {
                Fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [],
            });
    }
}
