namespace NeuraTrade.Core.Scalping;

/// <summary>The scalper as the status endpoint shows it, read from stored state and live prices.</summary>
public sealed record ScalpingStatus(
    bool Active,
    string? PausedReason,
    string Profile,
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
    ScalpingLimits Limits);

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
    decimal MaxSpreadPercent);
