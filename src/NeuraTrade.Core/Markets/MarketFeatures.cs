namespace NeuraTrade.Core.Markets;

/// <summary>
/// The market as the brain saw it when it decided, reduced to the few numbers the learning system compares situations
/// by: volatility (ATR as a percent of the mid), spread percent, trend (fast EMA over slow EMA, percent), momentum
/// (percent change over <see cref="MarketSnapshot.MomentumBars"/> candles), RSI and the UTC hour. Null where the history
/// was too short for the indicator.
/// </summary>
public sealed record MarketFeatures(
    decimal? VolatilityPercent,
    decimal SpreadPercent,
    decimal? TrendPercent,
    decimal? MomentumPercent,
    decimal? Rsi,
    int HourOfDay)
{
    /// <summary>The features of <paramref name="market"/> at <paramref name="at"/> (the decision's time).</summary>
    public static MarketFeatures Of(MarketSnapshot market, DateTimeOffset at)
    {
        var i = market.Indicators;
        decimal? trend = i.EmaFast is { } fast && i.EmaSlow is { } slow && slow != 0m
            ? Math.Round((fast - slow) / slow * 100m, 8, MidpointRounding.AwayFromZero)
            : null;
        return new MarketFeatures(i.VolatilityPercent, i.SpreadPercent, trend, i.MomentumPercent, i.Rsi, at.UtcDateTime.Hour);
    }
}
