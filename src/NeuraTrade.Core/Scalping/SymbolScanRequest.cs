using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// One interval of the scan schedule on the wall clock, [<see cref="Start"/>, <see cref="End"/>): intervals are the
/// schedule's shortest gap, aligned on UTC (10 s by default: :00, :10, :20 …).
/// </summary>
public sealed record ScanInterval(DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The interval's name in messages and logs: its UTC start, e.g. <c>20261203T081010Z</c>.</summary>
    public string Id => Start.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The interval a timer firing at <paramref name="wallNow"/> belongs to. A timer that fires a hair early (clocks of two
    /// machines) still names the interval it was meant for: up to a tenth of the interval (at most 1 s) ahead counts as it.
    /// </summary>
    public static ScanInterval At(DateTimeOffset wallNow, TimeSpan length)
    {
        if (length <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A scan interval must be positive.");
        }

        var ahead = TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, length.Ticks / 10));
        var ticks = (wallNow + ahead).UtcTicks;
        var start = new DateTimeOffset(ticks - (ticks % length.Ticks), TimeSpan.Zero);
        return new ScanInterval(start, start + length);
    }
}

/// <summary>How long one interval of the scan schedule is (the schedule's shortest gap), on the wall clock.</summary>
public sealed record ScanCadence(TimeSpan Interval);

/// <summary>
/// One message of the fan-out: scan <see cref="Symbol"/> once in <see cref="Interval"/> (the interval the timer claimed),
/// no later than <see cref="End"/>. The body on the queue is this record as JSON.
/// </summary>
public sealed record SymbolScanRequest(
    [property: JsonPropertyName("interval")] string Interval,
    [property: JsonPropertyName("symbol")] string Symbol,
    [property: JsonPropertyName("start")] DateTimeOffset Start,
    [property: JsonPropertyName("end")] DateTimeOffset End)
{
    public static SymbolScanRequest For(ScanInterval interval, string symbol) => new(interval.Id, symbol, interval.Start, interval.End);

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Reads a message body; null with the reason when it is not one the timer could have written.</summary>
    public static SymbolScanRequest? Parse(string? text, out string? problem)
    {
        SymbolScanRequest? request;
        try
        {
            request = string.IsNullOrWhiteSpace(text) ? null : JsonSerializer.Deserialize<SymbolScanRequest>(text);
        }
        catch (JsonException ex)
        {
            problem = $"not a symbol scan request: {ex.Message}";
            return null;
        }

        problem = request switch
        {
            null => "empty message",
            { Symbol: null or "" } or { Interval: null or "" } => "the message names no symbol or no interval",
            _ when !MarketSymbol.TryNormalize(request.Symbol, out _) => $"'{request.Symbol}' is not a BASE/QUOTE symbol",
            _ when request.End <= request.Start => "the interval ends before it starts",
            _ when new ScanInterval(request.Start, request.End).Id != request.Interval => $"interval '{request.Interval}' does not start at {request.Start:O}",
            _ => null,
        };
        return problem is null ? request : null;
    }
}

/// <summary>The queue the timer fans an interval out over (Azure Storage queue in the app).</summary>
public interface ISymbolScanQueue
{
    /// <summary>Sends one message per request; a message not taken within <paramref name="timeToLive"/> disappears.</summary>
    Task EnqueueAsync(IReadOnlyList<SymbolScanRequest> requests, TimeSpan timeToLive, CancellationToken cancellationToken);
}
