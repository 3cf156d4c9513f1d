using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting;

/// <summary>One market's history for a backtest: closed candles, oldest first, gaps allowed.</summary>
public sealed record BacktestMarket(string Symbol, string Timeframe, IReadOnlyList<Candle> Candles)
{
    /// <summary>The file the candles were read from, for messages about them; null when they came from elsewhere.</summary>
    public string? Source { get; init; }

    /// <summary>
    /// The market's price tick, as the data folder's <c>markets.json</c> states it; null: the tick the candles show (their
    /// most decimals). The paper spread is never narrower than one tick.
    /// </summary>
    public decimal? TickSize { get; init; }
}

/// <summary>What a backtest runs over and how it simulates within a candle.</summary>
public sealed record BacktestSettings(
    IReadOnlyList<BacktestMarket> Markets,
    TimeSpan Interval,
    decimal StartingBalance,
    string QuoteCurrency,
    decimal TakerFeePercent,
    decimal SlippagePercent,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null)
{
    /// <summary>
    /// Exit checks inside each candle, before the decision scan 1 ms before the candle closes: a multiple of 4, at least 8,
    /// so every step of the paper price path (four quarters: open, first extreme, second extreme, close) is checked at
    /// the instant it begins, the open's quarter included. Exits then happen in the order the path reaches the barriers.
    /// </summary>
    public int ExitChecksPerCandle { get; init; } = 12;

    /// <summary>Why <see cref="ExitChecksPerCandle"/> cannot run, or null.</summary>
    public string? ExitChecksProblem =>
        ExitChecksPerCandle >= 8 && ExitChecksPerCandle % 4 == 0
            ? null
            : $"ExitChecksPerCandle must be a multiple of 4, at least 8 (each quarter step of the price path checked as it begins), not {ExitChecksPerCandle}";

    /// <summary>The decision instant of a step: 1 ms before the candle closes, so the candle is in force but nothing later exists.</summary>
    public static readonly TimeSpan DecisionLead = TimeSpan.FromMilliseconds(1);

    /// <summary>Open times of every step, the union over all markets, within [From, To].</summary>
    public IReadOnlyList<DateTimeOffset> Timeline()
    {
        var times = new List<DateTimeOffset>(Markets.Sum(m => m.Candles.Count));
        foreach (var market in Markets)
        {
            foreach (var c in market.Candles)
            {
                if ((From is null || c.OpenTime >= From) && (To is null || c.OpenTime <= To))
                {
                    times.Add(c.OpenTime);
                }
            }
        }

        // One market's candles come in order: sorted already. Several are merged by a sort, then repeats dropped.
        for (var i = 1; i < times.Count; i++)
        {
            if (times[i] <= times[i - 1])
            {
                // Stable, so of equal instants the first added is kept (as the set it replaces did).
                times = [.. times.OrderBy(t => t)];
                break;
            }
        }

        var distinct = 0;
        for (var i = 0; i < times.Count; i++)
        {
            if (distinct == 0 || times[i] != times[distinct - 1])
            {
                times[distinct++] = times[i];
            }
        }

        times.RemoveRange(distinct, times.Count - distinct);
        return times;
    }
}
