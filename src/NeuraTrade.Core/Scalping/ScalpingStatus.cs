namespace NeuraTrade.Core.Scalping;

/// <summary>The scalper as the status endpoint shows it, read from stored state and live prices.</summary>
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
    LlmUsageToday Llm);

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
    decimal MaxSpreadPercent);
