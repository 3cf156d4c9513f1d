using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// <c>serve</c>'s log file: every line the host logs (after its filters) appended to <c>{directory}/{name}.log</c>, flushed
/// per line so <c>tail -f logs/ai_trading.log | grep "AI Scalping"</c> follows it. The file rolls when the UTC day changes
/// (by <see cref="TimeProvider"/>) or when it would pass <c>maxBytes</c>: the current file is renamed
/// <c>{name}-yyyyMMdd-N.log</c> and a new one begun. A failure to write never reaches the caller: logging must not stop trading.
/// </summary>
internal sealed class RollingFileLoggerProvider : ILoggerProvider
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    private readonly string _directory;
    private readonly string _name;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, FileLogger> _loggers = new(StringComparer.Ordinal);
    private StreamWriter? _writer;
    private DateOnly _day;
    private long _bytes;

    public RollingFileLoggerProvider(string directory, string name, TimeProvider time, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1024);
        _directory = directory;
        _name = name;
        _time = time;
        _maxBytes = maxBytes;
    }

    /// <summary>The file being written now.</summary>
    public string CurrentPath => Path.Combine(_directory, _name + ".log");

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, c => new FileLogger(this, c));

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    private void Write(LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var now = _time.GetUtcNow();
        var line = new StringBuilder()
            .Append(now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(' ')
            .Append(Level(level)).Append(' ')
            .Append(category).Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(message.ReplaceLineEndings(" "));
        if (exception is not null)
        {
            line.AppendLine().Append(exception);
        }

        var text = line.AppendLine().ToString();
        var size = Encoding.UTF8.GetByteCount(text);
        lock (_gate)
        {
            try
            {
                var day = DateOnly.FromDateTime(now.UtcDateTime);
                if (_writer is null)
                {
                    Open(day);
                }
                else if (day != _day || _bytes + size > _maxBytes)
                {
                    Roll();
                    Open(day);
                }

                _writer!.Write(text);
                _bytes += size;
            }
            catch (IOException)
            {
                // A full disk or a file another process moved: this line is lost, the app goes on.
                _writer?.Dispose();
                _writer = null;
            }
            catch (UnauthorizedAccessException)
            {
                _writer?.Dispose();
                _writer = null;
            }
        }
    }

    /// <summary>Opens the current file to append; a file left from an earlier day (by its last write) is rolled first.</summary>
    private void Open(DateOnly day)
    {
        Directory.CreateDirectory(_directory);
        var path = CurrentPath;
        if (File.Exists(path))
        {
            var written = DateOnly.FromDateTime(File.GetLastWriteTimeUtc(path));
            if (written < day)
            {
                _day = written;
                MoveAside(path);
            }
        }

        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        _bytes = stream.Length;
        _day = day;
    }

    private void Roll()
    {
        _writer?.Dispose();
        _writer = null;
        MoveAside(CurrentPath);
    }

    /// <summary>Renames the current file to the first free <c>{name}-yyyyMMdd-N.log</c> of the day it was written.</summary>
    private void MoveAside(string path)
    {
        for (var n = 1; ; n++)
        {
            var target = Path.Combine(_directory, $"{_name}-{_day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}-{n.ToString(CultureInfo.InvariantCulture)}.log");
            if (!File.Exists(target))
            {
                File.Move(path, target);
                return;
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO ",
        LogLevel.Warning => "WARN ",
        LogLevel.Error => "ERROR",
        _ => "CRIT ",
    };

    private sealed class FileLogger(RollingFileLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, category, eventId, formatter(state, exception), exception);
            }
        }
    }
}
