using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

public sealed class FailureLoggingTests
{
    [Fact]
    public void An_outside_failure_is_one_line_at_the_level_with_the_reason_and_its_stack_at_debug()
    {
        var logger = new EntriesLogger();
        var failure = Thrown(() => throw new ExchangeException(ExchangeErrorType.Network, "Binance GET /api/v3/depth: Connection refused", new HttpRequestException("Connection refused", new SocketException(111))));

        logger.LogFailure(LogLevel.Warning, failure, "Book for {Symbol} not read: {Reason}", "BTC/USDT");

        Assert.Collection(
            logger.Entries,
            e =>
            {
                Assert.Equal(LogLevel.Warning, e.Level);
                Assert.Null(e.Exception);
                Assert.Equal("Book for BTC/USDT not read: Network: Binance GET /api/v3/depth: Connection refused", e.Message);
            },
            e =>
            {
                Assert.Equal(LogLevel.Debug, e.Level);
                Assert.Same(failure, e.Exception);
                Assert.Contains("   at ", e.Exception!.ToString(), StringComparison.Ordinal);
            });
    }

    [Fact]
    public void A_defect_keeps_its_stack_at_the_level_even_wrapped_in_an_llm_failure()
    {
        var logger = new EntriesLogger();
        var failure = new LlmUnavailableException("error", "Object reference not set to an instance of an object.", Thrown(() => Length(null)));

        logger.LogFailure(LogLevel.Warning, failure, "LLM failed for {Symbol}: {Reason}", "BTC/USDT");

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Same(failure, entry.Exception);
        Assert.True(FailureLogging.IsDefect(new AggregateException(new IOException("down"), new ArgumentException("bad"))));
        Assert.False(FailureLogging.IsDefect(new AggregateException(new IOException("down"), new TimeoutException())));
        Assert.False(FailureLogging.IsDefect(new LlmUnavailableException("network", "Connection refused", new HttpRequestException("Connection refused", new SocketException(111)))));
    }

    [Fact]
    public void The_reason_is_one_line_with_a_storage_status_and_the_last_of_several_failures()
    {
        const string storage = "Service request failed.\nStatus: 503 (Service Unavailable)\nErrorCode: ServerBusy\n\nContent:\n{\"odata.error\":{}}\n\nHeaders:\nServer: Azurite";

        Assert.Equal("InvalidDataException: Service request failed. (Status: 503 (Service Unavailable))", FailureLogging.Reason(new InvalidDataException(storage)));
        Assert.Equal(
            "3 failures, the last: IOException: storage unavailable",
            FailureLogging.Reason(new AggregateException("Retry failed after 3 tries.", new IOException("timeout"), new IOException("reset"), new IOException("storage unavailable"))));
        Assert.Equal("server_error: HTTP 503 (server_error: ) The server is overloaded", FailureLogging.Reason(new LlmUnavailableException("server_error", "HTTP 503 (server_error: ) The server is overloaded")));

        var longest = FailureLogging.Reason(new IOException(new string('x', 1_000)));
        Assert.Equal(FailureLogging.MaxReasonLength, longest.Length);
        Assert.EndsWith("…", longest, StringComparison.Ordinal);
    }

    private static int Length(string? text) => text!.Length;

    private static Exception Thrown(Action fail)
    {
        try
        {
            fail();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("nothing was thrown");
    }

    private sealed record Entry(LogLevel Level, string Message, Exception? Exception);

    private sealed class EntriesLogger : ILogger
    {
        public List<Entry> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add(new Entry(logLevel, formatter(state, exception), exception));
    }
}
