using NeuraTrade.Backtesting;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>Drawdown and Sharpe/Sortino over tiny equity curves worked out by hand: the starting balance is the curve's first point.</summary>
public sealed class MetricsTests
{
    /// <summary>One step a year: the annualizing factor √(365 days / interval) is 1, so the ratios are the plain per-step ones.</summary>
    private static readonly TimeSpan Yearly = TimeSpan.FromDays(365);

    [Fact]
    public void Max_drawdown_counts_a_fall_from_the_starting_balance()
    {
        // Start 1000, then 990, 980: the peak is the start, the trough 980: (1000 − 980) / 1000 = 2%.
        // (Peaks taken from the curve alone would give (990 − 980) / 990 = 1.0101%.)
        Assert.Equal(2m, BacktestReport.MaxDrawdownPercent(1000m, Curve(990m, 980m)));
    }

    [Fact]
    public void Max_drawdown_is_the_deepest_fall_from_any_peak()
    {
        // Start 1000, then 990, 1005, 980: falls 1000 → 990 = 1%, 1005 → 980 = 25 / 1005 = 2.48756219%; the worst, to 6 places.
        Assert.Equal(2.487562m, BacktestReport.MaxDrawdownPercent(1000m, Curve(990m, 1005m, 980m)));
    }

    [Fact]
    public void Max_drawdown_is_zero_when_equity_never_falls_below_a_peak()
    {
        // Start 1000, then 1000, 1010, 1020: no point below the highest before it.
        Assert.Equal(0m, BacktestReport.MaxDrawdownPercent(1000m, Curve(1000m, 1010m, 1020m)));
    }

    [Fact]
    public void Sharpe_and_sortino_include_the_first_step_from_the_starting_balance()
    {
        // Start 1000, then 990, 1005, 980. Returns:
        //   r1 = 990 / 1000 − 1 = −0.01
        //   r2 = 1005 / 990 − 1 = 15 / 990 = 0.01515152
        //   r3 = 980 / 1005 − 1 = −25 / 1005 = −0.02487562
        // mean = (−0.01 + 0.01515152 − 0.02487562) / 3 = −0.01972410 / 3 = −0.00657470
        // deviations −0.00342530, 0.02172622, −0.01830092; squares 0.00001173 + 0.00047203 + 0.00033492 = 0.00081868
        // sample sd = √(0.00081868 / 2) = √0.00040934 = 0.02023221 → Sharpe = −0.00657470 / 0.02023221 = −0.324962
        // downside = √((0.01² + 0² + 0.02487562²) / 3) = √(0.00071880 / 3) = √0.00023960 = 0.01547898
        //   → Sortino = −0.00657470 / 0.01547898 = −0.424750
        var (sharpe, sortino) = BacktestReport.Ratios(1000m, Curve(990m, 1005m, 980m), Yearly);

        Assert.Equal(-0.324962, sharpe, 5);
        Assert.Equal(-0.424750, sortino, 5);
    }

    [Fact]
    public void A_fall_in_the_first_step_then_flat_gives_negative_ratios()
    {
        // Start 1000, then 990, 990. Returns −0.01 and 0: mean −0.005.
        // sample sd = √(((−0.005)² + 0.005²) / 1) = √0.00005 = 0.00707107 → Sharpe = −0.005 / 0.00707107 = −0.707107
        // downside = √((0.01² + 0²) / 2) = √0.00005 = 0.00707107 → Sortino = −0.707107
        // (Without the first step there is one return, 0, and no ratio at all.)
        var (sharpe, sortino) = BacktestReport.Ratios(1000m, Curve(990m, 990m), Yearly);

        Assert.Equal(-0.707107, sharpe, 6);
        Assert.Equal(-0.707107, sortino, 6);
    }

    [Fact]
    public void One_point_gives_no_ratio()
    {
        // A single return has no spread: both ratios are reported as 0.
        Assert.Equal((0d, 0d), BacktestReport.Ratios(1000m, Curve(990m), Yearly));
    }

    private static EquityPoint[] Curve(params decimal[] equity) =>
        [.. equity.Select((e, i) => new EquityPoint(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero) + (Yearly * (i + 1)), e, e, false))];
}
