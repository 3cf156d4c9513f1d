using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// The scalper as the status endpoint shows it, read from stored state and live prices; <see cref="Books"/> is the last
/// check of the books against the account (at most one per scan interval).
/// </summary>
public sealed record ScalpingStatus(
    bool Active,
    string? PausedReason,
    string Profile,
    Trading.TradingMode TradingMode,
    string Exchange,
    string Brain,
    IReadOnlyList<string> Symbols,
    IReadOnlyList<OpenPositionView> OpenPositions,
    decimal DailyPnl,
    decimal TotalPnl,
    decimal UnrealizedPnl,
    decimal RemainingDailyLoss,
    int TradesToday,
    decimal? WinRateToday,
    DateTimeOffset? LastScanAt,
    string? LastScanResult,
    ScalpingLimits Limits,
    LlmUsageToday Llm,
    Trading.BooksStatus Books)
{
    /// <summary>Why scans do not trade while <c>Scalping:Enabled</c> is false (the status's paused reason, the scan's skip reason).</summary>
    public const string DisabledByConfiguration = Risk.RiskGate.DisabledByConfiguration;

    /// <summary>
    /// <c>Scalping:Enabled</c>: false means no scan enters, whatever <see cref="Active"/> (the runtime toggle) says.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Paper trading on the replay: market time beside wall time, the speed, the lap and whether the data has ended.
    /// Null on a live market. Every other time in the status (positions, last scan, the day) is market time.
    /// </summary>
    public Markets.ReplaySnapshot? Replay { get; init; }

    /// <summary>Today's economy screen: whether it runs, and how many symbols the scans asked the brain about and kept from it.</summary>
    public ScreenToday? Screen { get; init; }

    /// <summary>
    /// With <c>AI:AdaptiveMinConfidence</c>: per symbol, the minimum confidence the learning statistics put in force, whether
    /// entries there are paused, and why; null when the option is off.
    /// </summary>
    public IReadOnlyList<Learning.AdaptiveVerdict>? AdaptiveConfidence { get; init; }

    /// <summary>
    /// When the scan fans out (<c>Scalping:FanOut</c>): the interval last dispatched, its counts, and per symbol its state
    /// in that interval, its last scan (when, which instance, the outcome) and its last message that did not scan; null
    /// when the timer scans every symbol itself.
    /// </summary>
    public FanOutStatus? FanOut { get; init; }
}

/// <summary>
/// The economy screen's day (<c>Scalping:Screen</c>, <see cref="Risk.MarketScreen"/>): <see cref="On"/> is false for the
/// rules brain (it costs nothing to ask); <see cref="SavedPercent"/> is the share of the scans' symbol checks that made no
/// model call because no target could clear its costs.
/// </summary>
public sealed record ScreenToday(bool On, decimal ReachSigmas, int Asked, int Screened)
{
    public decimal? SavedPercent => Asked + Screened == 0 ? null : Math.Round(100m * Screened / (Asked + Screened), 2);
}

/// <summary>Today's LLM bill against <c>AI:DailyBudgetUsd</c> (0 = no limit).</summary>
public sealed record LlmUsageToday(string Brain, int Calls, long InputTokens, long OutputTokens, decimal CostUsd, decimal DailyBudgetUsd, bool BudgetSpent);

public sealed record OpenPositionView(
    string Id,
    string Symbol,
    PositionSide Side,
    decimal Amount,
    decimal EntryPrice,
    decimal? CurrentPrice,
    decimal? UnrealizedPnl,
    decimal StopLoss,
    decimal TakeProfit,
    DateTimeOffset OpenedAt,
    string DecisionId);

public sealed record ScalpingLimits(
    int MaxPositions,
    decimal MaxPositionSize,
    decimal MaxDailyLoss,
    int PositionHoldTimeSeconds,
    decimal MinConfidence,
    decimal MinSpreadPercent,
    decimal MaxSpreadPercent)
{
    public decimal MaxDrawdown { get; init; }

    public int MaxConsecutiveLosses { get; init; }

    public int StopLossCooldownSeconds { get; init; }

    public bool AllowShort { get; init; }

    public decimal TrailingStopPercent { get; init; }

    public decimal BreakEvenTriggerPercent { get; init; }
}

/// <summary>A manual close: whether the position was open, and the closed part (null when the exchange refused; retry).</summary>
public sealed record ManualCloseResult(bool Found, Position? Closed);

/// <summary>The kill switch's result: scalping is off, what was closed, and what could not be closed yet.</summary>
public sealed record KillSwitchResult(bool Active, IReadOnlyList<Position> Closed, IReadOnlyList<string> StillOpen);
