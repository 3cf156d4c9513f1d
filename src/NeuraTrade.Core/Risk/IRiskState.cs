namespace NeuraTrade.Core.Risk;

/// <summary>The running state the <see cref="RiskGate"/> reads besides the day's trades: the toggle and the UTC day's figures.</summary>
public interface IRiskState
{
    /// <summary>Whether entries are toggled on.</summary>
    bool Active { get; }

    /// <summary>The UTC day's realized PnL in the account's currency, as the scalper keeps it (the stored trades win when read).</summary>
    decimal DailyRealizedPnl { get; }

    /// <summary>The highest equity (realized plus unrealized PnL) a scan saw today: the drawdown limit measures from it.</summary>
    decimal DayPeakEquity { get; }

    /// <summary>The UTC day the daily figures belong to.</summary>
    DateOnly PnlDay { get; }

    /// <summary>
    /// The realized PnL the arbitrage made on <see cref="PnlDay"/> (in the account's currency): the daily loss limit is the
    /// account's, so the scalper's entries stop when the two together reach it.
    /// </summary>
    decimal ArbitrageRealizedToday { get; }
}
