namespace NeuraTrade.Core.Markets;

/// <summary>What a brain sees of one market at one moment: the ticker, recent closed candles and indicators.</summary>
public sealed record MarketSnapshot(string Symbol, Ticker Ticker, IReadOnlyList<Candle> Candles, MarketIndicators Indicators)
{
    public const int FastEmaPeriod = 9;
    public const int SlowEmaPeriod = 21;
    public const int AtrPeriod = 14;
    public const int RsiPeriod = 14;
    public const int MomentumBars = 3;

    /// <summary>Builds the snapshot; <paramref name="candles"/> must be closed candles, oldest first.</summary>
    public static MarketSnapshot Create(Ticker ticker, IReadOnlyList<Candle> candles)
    {
        // Converted to doubles once for all the indicators (Indicators).
        var (high, low, close) = Markets.Indicators.Doubles(candles);
        return Create(ticker, candles, high, low, close);
    }

    /// <summary>
    /// The same snapshot from prices the caller already holds as doubles (<c>(double)</c> of each candle's high, low and
    /// close, in order): a backtest converts its series once instead of per decision.
    /// </summary>
    public static MarketSnapshot Create(Ticker ticker, IReadOnlyList<Candle> candles, ReadOnlySpan<double> high, ReadOnlySpan<double> low, ReadOnlySpan<double> close)
    {
        if (high.Length != candles.Count || low.Length != candles.Count || close.Length != candles.Count)
        {
            throw new ArgumentException("the double prices must match the candles one to one", nameof(candles));
        }

        var atr = Markets.Indicators.ToDecimal(Markets.Indicators.AtrOf(high, low, close, AtrPeriod));
        var count = candles.Count;
        decimal? momentum = count > MomentumBars && candles[count - MomentumBars - 1].Close != 0m
            ? (candles[count - 1].Close - candles[count - MomentumBars - 1].Close) / candles[count - MomentumBars - 1].Close * 100m
            : null;
        var indicators = new MarketIndicators(
            Round(Markets.Indicators.ToDecimal(Markets.Indicators.EmaOf(close, FastEmaPeriod))),
            Round(Markets.Indicators.ToDecimal(Markets.Indicators.EmaOf(close, SlowEmaPeriod))),
            Round(atr),
            Round(Markets.Indicators.ToDecimal(Markets.Indicators.RsiOf(close, RsiPeriod))),
            Round(momentum),
            Round(atr is { } a && ticker.Mid != 0m ? a / ticker.Mid * 100m : null),
            Round(ticker.SpreadPercent)!.Value);
        return new MarketSnapshot(ticker.Symbol, ticker, candles, indicators);
    }

    /// <summary>Indicators carry 8 decimals: enough for any price, short enough for a prompt.</summary>
    private static decimal? Round(decimal? value) => value is { } v ? Math.Round(v, 8, MidpointRounding.AwayFromZero) : null;
}

/// <summary>Indicator values; null where there is not enough history.</summary>
public sealed record MarketIndicators(
    decimal? EmaFast,
    decimal? EmaSlow,
    decimal? Atr,
    decimal? Rsi,
    decimal? MomentumPercent,
    decimal? VolatilityPercent,
    decimal SpreadPercent);
