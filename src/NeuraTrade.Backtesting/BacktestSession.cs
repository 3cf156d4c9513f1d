using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The live engine wired for one backtest: the same <see cref="ScalpingEngine"/>, <see cref="TradeDesk"/>, risk
/// gate, brain and exchange code as live, over in-memory stores and a <see cref="ManualClock"/>. Built by the
/// host side (it knows the exchange and the brain); run by <see cref="BacktestRunner"/>.
/// </summary>
public sealed record BacktestSession(
    ScalpingEngine Engine,
    TradeDesk Desk,
    IExchange Exchange,
    ManualClock Clock,
    ScalpingOptions Scalping,
    string BrainModel,
    ITradingBrain Brain,
    InMemoryDecisionStore Decisions,
    InMemoryPositionStore Positions,
    InMemoryScalpingStateStore State,
    InMemoryPaperAccountStore Account,
    InMemoryLlmUsageLedger Ledger,
    InMemoryEntryAdmission Admission)
{
    /// <summary>The timeframe of the candles the brain reads (<c>AI:Timeframe</c>): the data's, or a whole multiple made from it; null when not said.</summary>
    public string? BrainTimeframe { get; init; }

    /// <summary>The run's outcomes (issue 15's learning system), in memory.</summary>
    public InMemoryOutcomeStore Outcomes { get; init; } = new();

    /// <summary>Records into <see cref="Outcomes"/>: the desk's and the fast runner's one recording path.</summary>
    public OutcomeRecorder? Recorder { get; init; }
}
