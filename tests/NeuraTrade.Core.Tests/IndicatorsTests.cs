using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Tests;

public sealed class IndicatorsTests
{
    // High, low, close; the true ranges from the second bar on are 2, 2, 4 (low to previous close) and 7 (gap up).
    private static readonly Candle[] AtrBars =
    [
        Bar(0, 10m, 8m, 9m),
        Bar(1, 11m, 9m, 10m),
        Bar(2, 12m, 10.5m, 11m),
        Bar(3, 10m, 7m, 8m),
        Bar(4, 15m, 13m, 14m),
    ];

    [Fact]
    public void Ema_is_seeded_with_the_simple_average_then_smoothed()
    {
        // SMA(1,2,3) = 2; k = 2/(3+1) = 0.5; then 4 -> 3, 5 -> 4, 6 -> 5.
        Assert.Equal(5m, Indicators.Ema([1m, 2m, 3m, 4m, 5m, 6m], 3));
    }

    [Fact]
    public void Ema_with_exactly_period_values_is_their_simple_average()
    {
        Assert.Equal(4m, Indicators.Ema([2m, 4m, 6m], 3));
    }

    [Fact]
    public void Ema_matches_an_independent_alpha_blend_over_a_longer_series()
    {
        decimal[] values = [10m, 11m, 12.5m, 11.75m, 13m, 14.2m, 13.9m, 15m, 16.1m, 15.4m, 17m, 18.3m];
        const int period = 4;

        // alpha * x + (1 - alpha) * previous, seeded with the mean of the first four values (11.3125).
        var expected = 11.3125m;
        const decimal alpha = 0.4m;
        for (var i = period; i < values.Length; i++)
        {
            expected = (alpha * values[i]) + ((1m - alpha) * expected);
        }

        Assert.Equal(expected, Indicators.Ema(values, period)!.Value, 12);
    }

    [Fact]
    public void Ema_is_null_when_history_is_shorter_than_the_period()
    {
        Assert.Null(Indicators.Ema([1m, 2m], 3));
        Assert.Null(Indicators.Ema([], 1));
    }

    [Fact]
    public void Indicators_reject_a_period_below_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Indicators.Ema([1m, 2m], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Indicators.Atr(AtrBars, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Indicators.Rsi([1m, 2m], 0));
    }

    [Fact]
    public void Atr_uses_true_range_with_wilder_smoothing()
    {
        // Period 2: seed (2 + 2) / 2 = 2; then (2*1 + 4) / 2 = 3; then (3*1 + 7) / 2 = 5.
        Assert.Equal(5m, Indicators.Atr(AtrBars, 2));

        // Period 3: seed (2 + 2 + 4) / 3 = 8/3; then (8/3 * 2 + 7) / 3 = 37/9.
        Assert.Equal(37m / 9m, Indicators.Atr(AtrBars, 3)!.Value, 12);

        // Period 4 with five bars: just the seed (2 + 2 + 4 + 7) / 4.
        Assert.Equal(3.75m, Indicators.Atr(AtrBars, 4));
    }

    [Fact]
    public void Atr_counts_gaps_against_the_previous_close()
    {
        // The range of the second bar is 1, but it opened 5 above the previous close.
        Candle[] bars = [Bar(0, 101m, 99m, 100m), Bar(1, 106m, 105m, 105.5m)];

        Assert.Equal(6m, Indicators.Atr(bars, 1));
    }

    [Fact]
    public void Atr_is_null_without_period_plus_one_candles()
    {
        Assert.Null(Indicators.Atr(AtrBars, 5));
        Assert.Null(Indicators.Atr(AtrBars[..1], 1));
    }

    [Fact]
    public void Rsi_uses_wilder_smoothing()
    {
        // Changes +1, -0.5, +1.5 | -0.5, +1.5 with period 3:
        // seed gain 2.5/3, loss 0.5/3; after -0.5: gain 5/9, loss 5/18; after +1.5: gain 47/54, loss 10/54.
        // RS = 4.7, RSI = 100 - 100 / 5.7 = 4700/57.
        decimal[] closes = [44m, 45m, 44.5m, 46m, 45.5m, 47m];

        Assert.Equal(4700m / 57m, Indicators.Rsi(closes, 3)!.Value, 12);
    }

    [Fact]
    public void Rsi_over_exactly_period_changes_is_the_plain_gain_loss_ratio()
    {
        // Gains 2 + 1, losses 1: RS = 3, RSI = 75.
        Assert.Equal(75m, Indicators.Rsi([10m, 12m, 11m, 12m], 3)!.Value, 20);
    }

    [Fact]
    public void Rsi_is_100_when_prices_only_rise_and_0_when_they_only_fall()
    {
        Assert.Equal(100m, Indicators.Rsi([1m, 2m, 3m, 4m, 5m], 3));
        Assert.Equal(0m, Indicators.Rsi([5m, 4m, 3m, 2m, 1m], 3));
    }

    [Fact]
    public void Rsi_is_null_without_period_plus_one_closes()
    {
        Assert.Null(Indicators.Rsi([1m, 2m, 3m], 3));
    }

    private static Candle Bar(int index, decimal high, decimal low, decimal close) =>
        new(TestMarket.T0.AddMinutes(5 * index), close, high, low, close, 1m);
}
