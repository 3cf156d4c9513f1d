namespace NeuraTrade.Core.Learning;

/// <summary>
/// One confidence bucket of a reliability table: the entries whose stated confidence fell in [<see cref="From"/>,
/// <see cref="To"/>) (the last bucket includes 1), their mean stated confidence, the share that won and the 95% Wilson
/// score interval of that share.
/// </summary>
public sealed record CalibrationBucket(decimal From, decimal To, int Count, decimal MeanConfidence, decimal WinRate, decimal Low95, decimal High95);

/// <summary>
/// Does a stated 0.8 win 80% of the time? The non-empty buckets in ascending order, how many outcomes were judged, the
/// Brier score (mean squared gap between stated confidence and the 0/1 result; 0 is perfect, 0.25 is a coin flip stated
/// as 0.5) and the expected calibration error (the count-weighted mean gap between a bucket's stated confidence and its
/// win rate). Both are null when there is nothing to judge.
/// </summary>
public sealed record CalibrationTable(IReadOnlyList<CalibrationBucket> Buckets, int Count, decimal? BrierScore, decimal? ExpectedCalibrationError)
{
    public static CalibrationTable Empty { get; } = new([], 0, null, null);
}

/// <summary>
/// The reliability table of stated confidences against results. Buckets are equal-width over 0..1; a bucket with no
/// outcome is left out (its win rate would mean nothing). Every figure is rounded to <see cref="Decimals"/> places at the
/// end (the sums are exact decimals), so the same outcomes give the same table on every machine.
/// </summary>
public static class Calibration
{
    /// <summary>Decimal places of every figure in a table.</summary>
    public const int Decimals = 6;

    /// <summary>The normal quantile of a two-sided 95% interval.</summary>
    public const decimal Z95 = 1.959964m;

    public static CalibrationTable Compute(IEnumerable<(decimal Confidence, bool Won)> outcomes, int buckets = 10)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        var counts = new int[buckets];
        var wins = new int[buckets];
        var confidenceSums = new decimal[buckets];
        var n = 0;
        var squaredGaps = 0m;
        foreach (var (confidence, won) in outcomes)
        {
            if (confidence is < 0m or > 1m)
            {
                throw new ArgumentOutOfRangeException(nameof(outcomes), confidence, "A confidence must lie between 0 and 1.");
            }

            var b = BucketOf(confidence, buckets);
            counts[b]++;
            confidenceSums[b] += confidence;
            var result = won ? 1m : 0m;
            wins[b] += won ? 1 : 0;
            squaredGaps += (confidence - result) * (confidence - result);
            n++;
        }

        if (n == 0)
        {
            return CalibrationTable.Empty;
        }

        var rows = new List<CalibrationBucket>();
        var gap = 0m;
        for (var b = 0; b < buckets; b++)
        {
            if (counts[b] == 0)
            {
                continue;
            }

            // (n_b / N) * |mean conf_b - win rate_b| = |sum conf_b - wins_b| / N: summed exactly, divided once.
            gap += Math.Abs(confidenceSums[b] - wins[b]);
            var (low, high) = Wilson(wins[b], counts[b]);
            rows.Add(new CalibrationBucket(
                Round((decimal)b / buckets),
                Round((decimal)(b + 1) / buckets),
                counts[b],
                Round(confidenceSums[b] / counts[b]),
                Round((decimal)wins[b] / counts[b]),
                low,
                high));
        }

        return new CalibrationTable(rows, n, Round(squaredGaps / n), Round(gap / n));
    }

    /// <summary>The bucket a confidence falls in: floor(c × buckets), with 1 in the last bucket.</summary>
    public static int BucketOf(decimal confidence, int buckets) =>
        Math.Min(buckets - 1, (int)decimal.Floor(confidence * buckets));

    /// <summary>
    /// The 95% Wilson score interval of a win rate of <paramref name="wins"/> in <paramref name="count"/>: centre
    /// (p + z²/2n) / (1 + z²/n), half-width z √(p(1−p)/n + z²/4n²) / (1 + z²/n). Unlike p ± z√(p(1−p)/n) it stays inside
    /// 0..1 and does not collapse to a point when every entry won or lost.
    /// </summary>
    public static (decimal Low, decimal High) Wilson(int wins, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(wins);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wins, count);
        decimal n = count;
        var p = wins / n;
        const decimal z2 = Z95 * Z95;
        var denominator = 1m + (z2 / n);
        var centre = (p + (z2 / (2m * n))) / denominator;
        var half = Z95 * Sqrt((p * (1m - p) / n) + (z2 / (4m * n * n))) / denominator;
        return (Round(Math.Max(0m, centre - half)), Round(Math.Min(1m, centre + half)));
    }

    /// <summary>Square root in decimal (Newton's method from the double estimate), so no figure passes through binary floating point.</summary>
    internal static decimal Sqrt(decimal value)
    {
        if (value <= 0m)
        {
            return 0m;
        }

        var x = (decimal)Math.Sqrt((double)value);
        for (var i = 0; i < 4; i++)
        {
            x = (x + (value / x)) / 2m;
        }

        return x;
    }

    private static decimal Round(decimal value) => Math.Round(value, Decimals, MidpointRounding.AwayFromZero);
}
