using System.Globalization;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Learning;

/// <summary>
/// The learning system's answer to "what should the brain know before deciding": reads the strategy's last
/// <see cref="Lookback"/> trades resolved by the decision's time (never later: a backtest sees only what was known then)
/// and builds a <see cref="LearningContext"/> with <see cref="LearningFeedback.Build"/>.
/// </summary>
public sealed class OutcomeLearning(IOutcomeStore store) : ILearningSource
{
    public const int Lookback = 200;

    public async Task<LearningContext?> ForAsync(string symbol, TradingStrategy strategy, MarketFeatures features, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var trades = await store.QueryAsync(new OutcomeQuery(Strategy: strategy, To: at, Limit: Lookback, TradesOnly: true), cancellationToken);
        return LearningFeedback.Build(trades, symbol, features, at);
    }
}

/// <summary>Builds the learning context from outcomes, by code: statistics, nearest situations and lessons (docs/learning.md).</summary>
public static class LearningFeedback
{
    /// <summary>The fewest trades a lesson is drawn from.</summary>
    public const int MinSample = 5;

    /// <summary>Stated confidence from which an entry counts as high-confidence for the lessons.</summary>
    public const decimal HighConfidence = 0.7m;

    /// <summary>
    /// The context for a decision on <paramref name="symbol"/> at <paramref name="at"/> from <paramref name="outcomes"/>:
    /// outcomes resolved after <paramref name="at"/> and decisions that never traded are ignored. Null when no trade is known.
    /// </summary>
    public static LearningContext? Build(IEnumerable<TradeOutcome> outcomes, string symbol, MarketFeatures features, DateTimeOffset at)
    {
        var known = outcomes.Where(o => o.IsTrade && o.ResolvedAt <= at).OrderByDescending(o => o.ResolvedAt).ThenBy(o => o.DecisionId, StringComparer.Ordinal).ToList();
        if (known.Count == 0)
        {
            return null;
        }

        var stats = PerformanceStatistics.Compute(known);
        var recent = known.Where(o => o.Symbol == symbol).Take(LearningContext.MaxRecent).Select(Resolved).ToList();
        var similar = Nearest(known, features, LearningContext.MaxSimilar);
        return new LearningContext(
            recent,
            new LearningStats(stats.Trades, stats.WinRatePercent, stats.ProfitFactor, Math.Round(known.Average(o => o.PnlPercent), 4)),
            similar.Select(Resolved).ToList(),
            Lessons(known, similar, features));
    }

    /// <summary>
    /// The <paramref name="k"/> trades whose market at entry was nearest to <paramref name="now"/>: Euclidean distance over
    /// volatility, spread, trend and momentum, each feature divided by its standard deviation among the candidates (so a
    /// percent of spread weighs like a percent of trend only as much as they vary). Trades without features are skipped.
    /// </summary>
    public static IReadOnlyList<TradeOutcome> Nearest(IReadOnlyList<TradeOutcome> trades, MarketFeatures now, int k)
    {
        var target = Vector(now);
        var candidates = trades.Where(t => t.Features is not null && Vector(t.Features) is not null).ToList();
        if (target is null || candidates.Count == 0)
        {
            return [];
        }

        var vectors = candidates.Select(t => Vector(t.Features!)!).ToList();
        var scale = new double[4];
        for (var i = 0; i < 4; i++)
        {
            var mean = vectors.Average(v => v[i]);
            var sd = Math.Sqrt(vectors.Average(v => (v[i] - mean) * (v[i] - mean)));
            scale[i] = sd > 0d ? sd : 1d;
        }

        return candidates
            .Select((t, n) => (Trade: t, Distance: Distance(vectors[n], target, scale)))
            .OrderBy(x => x.Distance)
            .ThenByDescending(x => x.Trade.ResolvedAt)
            .Take(k)
            .Select(x => x.Trade)
            .ToList();
    }

    /// <summary>
    /// At most <see cref="LearningContext.MaxLessons"/> short lessons, in this order, each from at least
    /// <see cref="MinSample"/> trades: high-confidence entries losing more than they win; most trades stopped out; most
    /// timing out before the target; one side losing on average while the other wins; this UTC hour losing on average;
    /// the nearest situations mostly lost.
    /// </summary>
    public static IReadOnlyList<string> Lessons(IReadOnlyList<TradeOutcome> trades, IReadOnlyList<TradeOutcome> similar, MarketFeatures now)
    {
        var lessons = new List<string>();
        var confident = trades.Where(t => t.Confidence >= HighConfidence).ToList();
        if (confident.Count >= MinSample && Rate(confident) < 50m)
        {
            lessons.Add(F($"Entries at {HighConfidence:0.0} or more won {Rate(confident):0}% of {confident.Count}: state less."));
        }

        var stopped = trades.Count(t => t.ExitReason == ExitReason.StopLoss);
        if (trades.Count >= MinSample && stopped * 2 > trades.Count)
        {
            lessons.Add(F($"{stopped} of {trades.Count} trades hit the stop (inside the noise?)."));
        }

        var timedOut = trades.Count(t => t.ExitReason == ExitReason.Timeout);
        if (trades.Count >= MinSample && timedOut * 2 > trades.Count)
        {
            lessons.Add(F($"{timedOut} of {trades.Count} trades timed out before the target."));
        }

        var longs = trades.Where(t => t.Side == PositionSide.Long).ToList();
        var shorts = trades.Where(t => t.Side == PositionSide.Short).ToList();
        if (longs.Count >= MinSample && shorts.Count >= MinSample && Math.Sign(longs.Average(t => t.PnlPercent)) != Math.Sign(shorts.Average(t => t.PnlPercent)))
        {
            var (bad, good) = longs.Average(t => t.PnlPercent) < 0m ? ("Longs", "shorts") : ("Shorts", "longs");
            lessons.Add(F($"{bad} lost on average, {good} gained."));
        }

        var thisHour = trades.Where(t => PerformanceStatistics.HourOf(t) == now.HourOfDay).ToList();
        if (thisHour.Count >= MinSample && thisHour.Average(t => t.PnlPercent) < 0m)
        {
            lessons.Add(F($"{now.HourOfDay:00} UTC trades averaged {thisHour.Average(t => t.PnlPercent):0.###}% ({thisHour.Count})."));
        }

        if (similar.Count == LearningContext.MaxSimilar && similar.Count(t => t.Result == OutcomeResult.Win) * 3 < similar.Count)
        {
            lessons.Add(F($"The {similar.Count} most similar markets mostly lost."));
        }

        return lessons.Take(LearningContext.MaxLessons).ToList();
    }

    /// <summary>A trade as the prompt shows it, in few tokens: side b/s, result w/l/b (breakeven), exit reason by its initials.</summary>
    private static ResolvedTrade Resolved(TradeOutcome o) => new(
        o.Side == PositionSide.Short ? "s" : "b",
        o.Confidence,
        o.Result switch { OutcomeResult.Win => "w", OutcomeResult.Loss => "l", _ => "b" },
        o.PnlPercent,
        o.ExitReason is { } reason ? string.Concat(PerformanceStatistics.ExitReasonName(reason).Split('_').Select(w => w[0])) : null,
        o.Hold is { } hold ? Math.Round((decimal)hold.TotalMinutes, 1) : 0m,
        o.ResolvedAt);

    private static double[]? Vector(MarketFeatures f) =>
        f.VolatilityPercent is { } v && f.TrendPercent is { } t && f.MomentumPercent is { } m ? [(double)v, (double)f.SpreadPercent, (double)t, (double)m] : null;

    private static double Distance(double[] a, double[] b, double[] scale)
    {
        var sum = 0d;
        for (var i = 0; i < a.Length; i++)
        {
            var d = (a[i] - b[i]) / scale[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }

    private static decimal Rate(List<TradeOutcome> trades) =>
        trades.Count == 0 ? 0m : (decimal)trades.Count(t => t.Result == OutcomeResult.Win) / trades.Count * 100m;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
