using System.Diagnostics;
using System.Globalization;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// What one measured backtest run cost: candles per second, bytes allocated per candle (all threads), collections per
/// generation and the total GC pause over the run; for an LLM brain, the brain's calls and the time spent inside them.
/// </summary>
internal sealed record RunFigures(
    int Candles,
    TimeSpan Elapsed,
    int Trades,
    int LlmCalls,
    long AllocatedBytes,
    int Gen0,
    int Gen1,
    int Gen2,
    TimeSpan GcPause,
    int BrainCalls,
    TimeSpan BrainTime)
{
    public double Rate => Candles / Elapsed.TotalSeconds;

    public double BytesPerCandle => (double)AllocatedBytes / Candles;

    /// <summary>Microseconds per brain decision (the whole <c>ProposeAsync</c>: anonymizing, prompt, pipeline, cassette, parsing).</summary>
    public double MicrosecondsPerDecision => BrainCalls == 0 ? 0d : BrainTime.TotalMicroseconds / BrainCalls;

    /// <summary>The share of the run's wall time spent inside the brain.</summary>
    public double BrainShare => BrainTime / Elapsed;

    /// <summary>The GC's counters now, to subtract from the ones after a run.</summary>
    public static (long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Pause) Snapshot() =>
        (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public string Gc => F($"{BytesPerCandle:0} B/candle allocated, GC {Gen0}/{Gen1}/{Gen2} (gen0/1/2), paused {GcPause.TotalMilliseconds:0} ms ({GcPause / Elapsed:P1} of the run)");

    public string Brain => BrainCalls == 0
        ? string.Empty
        : F($"; {BrainCalls} decisions, {MicrosecondsPerDecision:0.0} µs each, {BrainShare:P0} of the run in the brain");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Times every decision of the brain it wraps (the backtest awaits one decision at a time).</summary>
internal sealed class TimedBrain(ITradingBrain inner) : ITradingBrain
{
    private long _ticks;

    public int Calls { get; private set; }

    public TimeSpan Time => Stopwatch.GetElapsedTime(0, _ticks);

    /// <summary>Requests kept for the replay breakdown (the first <see cref="Keep"/>).</summary>
    public List<BrainRequest> Kept { get; } = [];

    public int Keep { get; init; }

    public string Model => inner.Model;

    public async Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
    {
        if (Kept.Count < Keep)
        {
            Kept.Add(request);
        }

        var started = Stopwatch.GetTimestamp();
        var proposal = await inner.ProposeAsync(request, cancellationToken);
        _ticks += Stopwatch.GetTimestamp() - started;
        Calls++;
        return proposal;
    }

    public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) =>
        inner.AnalyzeAsync(market, cancellationToken);
}
