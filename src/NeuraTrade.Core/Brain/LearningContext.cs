using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// What the learning system tells the brain before it decides (<c>AI:EnableLearning</c>): recent resolved trades on the
/// symbol, the aggregate statistics of the strategy's trades, the past trades whose market looked most like this one
/// (nearest neighbours on volatility, spread, trend and momentum) and a few short lessons derived by code. Bounded
/// (<see cref="MaxRecent"/>, <see cref="MaxSimilar"/>, <see cref="MaxLessons"/> of at most <see cref="MaxLessonLength"/>
/// characters), so the prompt stays within its token budget.
/// </summary>
public sealed record LearningContext(
    IReadOnlyList<ResolvedTrade> Recent,
    LearningStats? Stats,
    IReadOnlyList<ResolvedTrade> Similar,
    IReadOnlyList<string> Lessons)
{
    public const int MaxRecent = 3;
    public const int MaxSimilar = 5;
    public const int MaxLessons = 2;
    public const int MaxLessonLength = 56;
}

/// <summary>One resolved trade as the prompt shows it: side, stated confidence, result, PnL percent after fees, exit reason, hold.</summary>
public sealed record ResolvedTrade(string Side, decimal Confidence, string Result, decimal PnlPercent, string? ExitReason, decimal HoldMinutes, DateTimeOffset ResolvedAt);

/// <summary>The aggregate of the trades the context was built from.</summary>
public sealed record LearningStats(int Trades, decimal WinRatePercent, decimal? ProfitFactor, decimal ExpectancyPercent);

/// <summary>The port the decision maker asks for a <see cref="LearningContext"/> (the learning system implements it).</summary>
public interface ILearningSource
{
    /// <summary>The context for a decision on <paramref name="symbol"/> at <paramref name="at"/>: only outcomes resolved by then count.</summary>
    Task<LearningContext?> ForAsync(string symbol, TradingStrategy strategy, MarketFeatures features, DateTimeOffset at, CancellationToken cancellationToken);
}
