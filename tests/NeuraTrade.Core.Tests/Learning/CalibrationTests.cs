using NeuraTrade.Core.Learning;

namespace NeuraTrade.Core.Tests.Learning;

public sealed class CalibrationTests
{
    [Fact]
    public void Compute_of_nothing_has_no_buckets_and_no_scores()
    {
        var table = Calibration.Compute([]);

        Assert.Empty(table.Buckets);
        Assert.Equal(0, table.Count);
        Assert.Null(table.BrierScore);
        Assert.Null(table.ExpectedCalibrationError);
    }

    [Fact]
    public void Compute_buckets_by_stated_confidence_and_scores_the_gaps()
    {
        // 0.9 won, 0.9 lost, 0.85 won, 0.3 lost; ten buckets of 0.1.
        var table = Calibration.Compute([(0.9m, true), (0.9m, false), (0.85m, true), (0.3m, false)]);

        Assert.Equal(4, table.Count);
        Assert.Collection(
            table.Buckets,
            b => Assert.Equal(new CalibrationBucket(0.3m, 0.4m, 1, 0.3m, 0m, 0m, 0.793451m), b),
            b => Assert.Equal(new CalibrationBucket(0.8m, 0.9m, 1, 0.85m, 1m, 0.206549m, 1m), b),
            b => Assert.Equal(new CalibrationBucket(0.9m, 1m, 2, 0.9m, 0.5m, 0.094531m, 0.905469m), b));
        // Brier: (0.9-1)^2 + (0.9-0)^2 + (0.85-1)^2 + (0.3-0)^2 = 0.01 + 0.81 + 0.0225 + 0.09 = 0.9325; / 4 = 0.233125.
        Assert.Equal(0.233125m, table.BrierScore);
        // ECE: 1/4 * |0.3 - 0| + 1/4 * |0.85 - 1| + 2/4 * |0.9 - 0.5| = 0.075 + 0.0375 + 0.2 = 0.3125.
        Assert.Equal(0.3125m, table.ExpectedCalibrationError);
    }

    [Fact]
    public void Compute_of_a_calibrated_brain_has_no_calibration_error()
    {
        // Ten entries stated at 0.8, eight won.
        var outcomes = Enumerable.Range(0, 10).Select(i => (0.8m, i < 8));

        var table = Calibration.Compute(outcomes);

        var bucket = Assert.Single(table.Buckets);
        Assert.Equal((0.8m, 0.9m, 10, 0.8m, 0.8m), (bucket.From, bucket.To, bucket.Count, bucket.MeanConfidence, bucket.WinRate));
        // Wilson 95% of 8 in 10, as published tables give it: 0.4902 .. 0.9433.
        Assert.Equal((0.490162m, 0.943318m), (bucket.Low95, bucket.High95));
        Assert.Equal(0m, table.ExpectedCalibrationError);
        // Brier: 8 * (0.8-1)^2 + 2 * (0.8-0)^2 = 0.32 + 1.28 = 1.6; / 10 = 0.16.
        Assert.Equal(0.16m, table.BrierScore);
    }

    [Fact]
    public void Compute_of_an_overconfident_brain_shows_the_gap()
    {
        // Ten entries stated at 0.95, half won.
        var table = Calibration.Compute(Enumerable.Range(0, 10).Select(i => (0.95m, i % 2 == 0)));

        // ECE: |0.95 - 0.5| = 0.45. Brier: 5 * 0.05^2 + 5 * 0.95^2 = 0.0125 + 4.5125 = 4.525; / 10 = 0.4525.
        Assert.Equal(0.45m, table.ExpectedCalibrationError);
        Assert.Equal(0.4525m, table.BrierScore);
    }

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(0.1, 10, 1)]
    [InlineData(0.0999, 10, 0)]
    [InlineData(1, 10, 9)]
    [InlineData(0.25, 4, 1)]
    [InlineData(0.5, 1, 0)]
    public void BucketOf_puts_a_boundary_in_the_upper_bucket_and_one_in_the_last(double confidence, int buckets, int expected) =>
        Assert.Equal(expected, Calibration.BucketOf((decimal)confidence, buckets));

    [Fact]
    public void Compute_with_four_buckets_uses_quarters()
    {
        var table = Calibration.Compute([(0.25m, true), (0.74m, false), (1m, true)], buckets: 4);

        Assert.Equal([(0.25m, 0.5m), (0.5m, 0.75m), (0.75m, 1m)], table.Buckets.Select(b => (b.From, b.To)));
    }

    [Theory]
    [InlineData(1, 2, 0.094531, 0.905469)]
    [InlineData(0, 3, 0, 0.561497)]
    [InlineData(2, 5, 0.117621, 0.769276)]
    public void Wilson_interval_matches_the_textbook_formula(int wins, int count, double low, double high)
    {
        // Figures from the Wilson formula evaluated independently in double precision (z = 1.959964), rounded to 6 places.
        Assert.Equal(((decimal)low, (decimal)high), Calibration.Wilson(wins, count));
    }

    [Fact]
    public void Compute_refuses_a_confidence_outside_zero_to_one_and_no_buckets()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibration.Compute([(1.01m, true)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibration.Compute([(-0.01m, true)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calibration.Compute([(0.5m, true)], buckets: 0));
    }
}
