using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// A logger provider that keeps the fan-out's events (<see cref="FanOutLog"/>: an interval fanned out, a symbol scanned or
/// dropped) with the wall time each was logged at, and nothing else: what <c>bench scale-out</c> times an interval by.
/// </summary>
internal sealed class FanOutEvents(TimeProvider wall) : ILoggerProvider
{
    private readonly ConcurrentQueue<FanOutEvent> _events = new();

    public IReadOnlyList<FanOutEvent> All => _events.ToArray();

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void Dispose()
    {
    }

    private sealed class Recorder(FanOutEvents owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id is not (FanOutLog.IntervalFannedOutId or FanOutLog.SymbolScannedId or FanOutLog.SymbolScanDroppedId))
            {
                return;
            }

            var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            string Field(string name) => fields.FirstOrDefault(f => f.Key == name).Value?.ToString() ?? string.Empty;
            owner._events.Enqueue(new FanOutEvent(eventId.Id, Field("Interval"), Field("Symbol"), owner.Wall.GetUtcNow()));
        }
    }

    private TimeProvider Wall => wall;
}

/// <summary>One fan-out event: its id (<see cref="FanOutLog"/>), interval, symbol (none for a dispatch) and wall time.</summary>
internal sealed record FanOutEvent(int Id, string Interval, string Symbol, DateTimeOffset At);
