using System.Globalization;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Core.Learning;

/// <summary>
/// What the learning statistics make of a symbol and strategy's minimum confidence (<c>AI:AdaptiveMinConfidence</c>):
/// the configured minimum, the one in force, whether entries are paused there, the evidence and the reason in one line.
/// </summary>
public sealed record AdaptiveVerdict(
    string Symbol,
    TradingStrategy Strategy,
    decimal BaseMinConfidence,
    decimal EffectiveMinConfidence,
    bool Paused,
    int Evidence,
    decimal? StatedConfidence,
    decimal? WinRate,
    decimal? WinRateHigh95,
    string Reason)
{
    public bool Raised => EffectiveMinConfidence > BaseMinConfidence;
}

/// <summary>
/// The adaptive minimum confidence, a documented rule in code (docs/learning.md):
/// <list type="number">
/// <item>Evidence: the last <see cref="Window"/> resolved trades on the symbol and strategy that stated at least the
/// configured minimum (<c>AI:MinConfidence</c>) and resolved within <see cref="Lookback"/> (so a pause ends by itself
/// when its evidence ages out), newest first.</item>
/// <item>Fewer than <see cref="MinSample"/>: not enough evidence; the configured minimum stays.</item>
/// <item>Else, with c̄ their mean stated confidence and U the upper end of the 95% Wilson interval of their win rate:
/// when U is below c̄ (they won less than they said, beyond chance), the minimum rises by the gap c̄ − win rate, to at
/// most <see cref="Cap"/>; otherwise it stays.</item>
/// <item>At the cap the symbol and strategy are paused: no brain would clear it, so a scan does not ask.</item>
/// </list>
/// It falls back as soon as the evidence improves: new winning entries narrow the gap, and old losses leave the window.
/// </summary>
public sealed class AdaptiveConfidence(IOutcomeStore outcomes, IOptions<BrainOptions> options, TimeProvider time)
{
    public const int Window = 20;
    public const int MinSample = 10;
    public const decimal Cap = 0.95m;
    public static readonly TimeSpan Lookback = TimeSpan.FromDays(1);

    private readonly AsyncLocal<ScanOutcomes?> _scan = new();

    public bool Enabled => options.Value.AdaptiveMinConfidence;

    /// <summary>
    /// The verdict now, from the outcomes resolved within <see cref="Lookback"/>. Within a scan (<see cref="BeginScan"/>)
    /// from the scan's one read of the strategy's outcomes, else from a read of the symbol's.
    /// </summary>
    public async Task<AdaptiveVerdict> JudgeAsync(string symbol, TradingStrategy strategy, CancellationToken cancellationToken)
    {
        if (_scan.Value is { } scan && scan.Strategy == strategy)
        {
            var all = await scan.ReadAsync(cancellationToken);
            return Judge(symbol, strategy, options.Value.MinConfidence, all.Where(o => o.Symbol == symbol));
        }

        var now = time.GetUtcNow();
        var recent = await outcomes.QueryAsync(new OutcomeQuery(symbol, strategy, From: now - Lookback, To: now, Limit: 200, TradesOnly: true), cancellationToken);
        return Judge(symbol, strategy, options.Value.MinConfidence, recent);
    }

    /// <summary>
    /// Until disposed, the calling flow's verdicts on <paramref name="strategy"/> (every symbol of a scan) come from one read
    /// of the strategy's outcomes within <see cref="Lookback"/> (the newest <see cref="OutcomeQuery.MaxLimit"/>), made at
    /// the first verdict, instead of a read per symbol: a scan's storage round trips do not grow with its symbols.
    /// </summary>
    public IDisposable BeginScan(TradingStrategy strategy)
    {
        var scope = new ScanOutcomes(this, strategy, _scan.Value);
        _scan.Value = scope;
        return scope;
    }

    private Task<IReadOnlyList<TradeOutcome>> ReadRecentAsync(TradingStrategy strategy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return outcomes.QueryAsync(new OutcomeQuery(null, strategy, From: now - Lookback, To: now, Limit: OutcomeQuery.MaxLimit, TradesOnly: true), cancellationToken);
    }

    /// <summary>One scan's read of a strategy's recent outcomes, made once (by the first verdict that needs it).</summary>
    private sealed class ScanOutcomes(AdaptiveConfidence owner, TradingStrategy strategy, ScanOutcomes? outer) : IDisposable
    {
        private readonly Lock _gate = new();
        private Task<IReadOnlyList<TradeOutcome>>? _read;

        public TradingStrategy Strategy => strategy;

        public Task<IReadOnlyList<TradeOutcome>> ReadAsync(CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                if (_read is null || _read.IsFaulted || _read.IsCanceled)
                {
                    _read = owner.ReadRecentAsync(strategy, cancellationToken);
                }

                return _read;
            }
        }

        public void Dispose() => owner._scan.Value = outer;
    }

    /// <summary>The rule over <paramref name="recent"/> outcomes (any order; only trades stating at least <paramref name="baseMin"/> count).</summary>
    public static AdaptiveVerdict Judge(string symbol, TradingStrategy strategy, decimal baseMin, IEnumerable<TradeOutcome> recent)
    {
        var evidence = recent
            .Where(o => o.IsTrade && o.Confidence >= baseMin)
            .OrderByDescending(o => o.ResolvedAt)
            .ThenBy(o => o.DecisionId, StringComparer.Ordinal)
            .Take(Window)
            .ToList();
        if (evidence.Count < MinSample)
        {
            return new AdaptiveVerdict(symbol, strategy, baseMin, baseMin, false, evidence.Count, null, null, null,
                F($"{evidence.Count} resolved entries at or above {baseMin} in the last {Lookback.TotalHours:0} h; {MinSample} needed before the minimum moves"));
        }

        var bucket = Calibration.Compute(evidence.Select(o => (o.Confidence, o.Result == OutcomeResult.Win)), buckets: 1).Buckets[0];
        var said = F($"the last {evidence.Count} entries at or above {baseMin} stated {bucket.MeanConfidence:0.##} on average and won {bucket.WinRate:0.##%} (95% up to {bucket.High95:0.##%})");
        if (bucket.High95 >= bucket.MeanConfidence)
        {
            return new AdaptiveVerdict(symbol, strategy, baseMin, baseMin, false, evidence.Count, bucket.MeanConfidence, bucket.WinRate, bucket.High95, $"{said}: consistent with what they stated, the minimum stays");
        }

        var effective = Math.Min(Cap, Math.Round(baseMin + (bucket.MeanConfidence - bucket.WinRate), 2, MidpointRounding.ToPositiveInfinity));
        var paused = effective >= Cap;
        return new AdaptiveVerdict(symbol, strategy, baseMin, effective, paused, evidence.Count, bucket.MeanConfidence, bucket.WinRate, bucket.High95,
            paused
                ? F($"{said}: minimum confidence raised to {effective}, the cap; entries on {symbol} are paused until the evidence improves")
                : F($"{said}: minimum confidence raised to {effective}"));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
