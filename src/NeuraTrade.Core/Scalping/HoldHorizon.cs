using System.Globalization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// How the hold time (<c>Scalping:PositionHoldTime</c>) meets the candles the brain reads (<c>AI:Timeframe</c>). A position
/// closed on its hold time before one candle of what the brain judged has passed measures the price path inside a candle,
/// not the setup: such a configuration is refused at start (<see cref="Refusal"/>). The rules brain sizes its barriers to
/// the hold (<see cref="Candles"/>).
/// </summary>
public static class HoldHorizon
{
    /// <summary>
    /// Null when <paramref name="hold"/> lasts at least one candle of <paramref name="timeframe"/>; else the message that
    /// refuses the configuration, naming both keys and the two fixes. <paramref name="timeframeSet"/>: whether
    /// <c>AI:Timeframe</c> was set (else the timeframe is the data's own).
    /// </summary>
    public static string? Refusal(TimeSpan hold, string timeframe, bool timeframeSet)
    {
        var candle = Timeframes.Parse(timeframe);
        if (hold >= candle)
        {
            return null;
        }

        var source = timeframeSet ? $"AI:Timeframe={timeframe}" : $"AI:Timeframe is not set, so the brain reads the data's own {timeframe} candles";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Scalping:PositionHoldTime={hold:c} is shorter than one candle the brain reads ({source}): every position would close on its hold time inside a single candle, before the market the brain judged had moved on. "
            + $"Hold at least one candle (Scalping__PositionHoldTime={candle:c}) or give the brain shorter candles: minute data (Exchange__ReplayDirectory=data/replay, the bundled BTC/USDT minute candles; a backtest's --data data/replay/BTC_USDT-1m.csv) with AI__Timeframe unset or 1m.");
    }

    /// <summary>
    /// The hold in candles of <paramref name="timeframe"/>, at least 1: the horizon the rules brain scales its per-candle
    /// volatility (ATR) to. A hold shorter than a candle is refused at start; where a library caller still runs one, the
    /// brain keeps its one-candle barriers.
    /// </summary>
    public static decimal Candles(TimeSpan hold, string timeframe) =>
        Math.Max(1m, Math.Round((decimal)hold.Ticks / Timeframes.Parse(timeframe).Ticks, 4, MidpointRounding.AwayFromZero));
}
