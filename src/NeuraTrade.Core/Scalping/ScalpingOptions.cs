using System.ComponentModel.DataAnnotations;
using NeuraTrade.Core.Risk;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// Settings section <c>Scalping</c>. Defaults are the seed's; <see cref="Profile"/> applies a preset
/// first, and any key set explicitly wins over the preset.
/// </summary>
public sealed class ScalpingOptions : RiskLimits
{
    public const string Section = "Scalping";

    /// <summary>Default 6-field NCRONTAB: every 10 seconds.</summary>
    public const string DefaultScanSchedule = "*/10 * * * * *";

    /// <summary>The flat app setting the timer trigger and these options both read the schedule from.</summary>
    public const string ScheduleSetting = "ScalpingScanSchedule";

    /// <summary>The flat app setting naming the fan-out queue: the queue trigger reads it, and the timer enqueues to it.</summary>
    public const string ScanQueueSetting = "ScalpingScanQueue";

    /// <summary>The fan-out queue's name when <see cref="ScanQueueSetting"/> is not set (its poison queue: <c>scalping-scans-poison</c>).</summary>
    public const string DefaultScanQueue = "scalping-scans";

    /// <summary><c>default</c>, <c>conservative</c> or <c>aggressive</c>.</summary>
    public string Profile { get; set; } = ScalpingProfiles.Default;

    [MinLength(1)]
    public string[] Symbols { get; set; } = ["BTC/USDT", "ETH/USDT", "SOL/USDT"];

    /// <summary>The timer's schedule, 6-field NCRONTAB with seconds; set through the flat setting <see cref="ScheduleSetting"/>.</summary>
    [Required]
    public string ScanSchedule { get; set; } = DefaultScanSchedule;

    /// <summary>
    /// The seed's <c>scan_interval</c> (<c>10s</c>): the local host runs the timer on it. The Functions app's trigger reads
    /// <see cref="ScheduleSetting"/>, so there it must agree with that schedule (start-up names the value to set).
    /// </summary>
    public TimeSpan? ScanInterval { get; set; }

    /// <summary>Whether the scalper trades before anyone has toggled it.</summary>
    public bool ActiveByDefault { get; set; } = true;

    /// <summary>A position still open after this long is closed (<c>timeout</c>).</summary>
    public TimeSpan PositionHoldTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sizing leaves this much room (percent) for slippage so a fill never exceeds <see cref="MaxPositionSize"/>.</summary>
    [Range(0.0, 10.0)]
    public decimal SizingBufferPercent { get; set; } = 0.5m;

    /// <summary>Trailing stop distance, percent of the best price since entry (0 = off).</summary>
    [Range(0.0, 50.0)]
    public decimal TrailingStopPercent { get; set; }

    /// <summary>Once the price is this far in profit (percent of entry), the stop moves to the entry price (0 = off).</summary>
    [Range(0.0, 50.0)]
    public decimal BreakEvenTriggerPercent { get; set; }

    /// <summary>A scan's claim lapses after this long, so a crashed scan does not block the next ones for ever.</summary>
    public TimeSpan ScanLeaseTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How far back reconciliation looks for this app's entry fills that have no position.</summary>
    public TimeSpan ReconcileLookback { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Stop and target distance (percent of the fill) given to a position adopted by reconciliation.</summary>
    [Range(0.01, 50.0)]
    public decimal ReconcileBarrierPercent { get; set; } = 0.5m;

    /// <summary>
    /// The economy screen (<see cref="MarketScreen"/>): a scan asks a paid model (any brain but the rules brain) about a
    /// symbol only when a target <see cref="ScreenReachSigmas"/> σ away over the hold could clear the round trip's cost
    /// plus the minimum net edge; otherwise the decision is a HOLD with the figures, and the model is not called.
    /// HTTP decisions always ask the model.
    /// </summary>
    public bool Screen { get; set; } = true;

    /// <summary>How many σ (ATR14 × √hold in candles) a target may lie away and still count as reachable within the hold.</summary>
    [Range(0.5, 10.0)]
    public decimal ScreenReachSigmas { get; set; } = MarketScreen.DefaultReachSigmas;

    /// <summary>An entry decision older than this is not executed (it was about another market).</summary>
    public TimeSpan MaxDecisionAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Whether the timer scans itself (<c>off</c>) or fans the interval out over a queue, one message per symbol, scanned
    /// by the queue-triggered function on whichever instance takes it (<c>on</c>); <c>auto</c> fans out above
    /// <see cref="FanOutAbove"/> symbols (docs/scalping.md, "Fan-out").
    /// </summary>
    public FanOutMode FanOut { get; set; } = FanOutMode.Auto;

    /// <summary>
    /// With <c>FanOut=auto</c>, more symbols than this fan out. 4 is the default <c>AI:MaxConcurrency</c>: up to it, one
    /// scan asks every brain at once and takes about one LLM call; above it, one instance needs several waves.
    /// </summary>
    [Range(1, 10_000)]
    public int FanOutAbove { get; set; } = 4;

    /// <summary>True when an interval of <paramref name="symbols"/> symbols fans out.</summary>
    public bool FansOut(int symbols) => FanOut switch
    {
        FanOutMode.On => true,
        FanOutMode.Off => false,
        _ => symbols > FanOutAbove,
    };
}

/// <summary><c>Scalping:FanOut</c>: <c>auto</c>, <c>on</c> or <c>off</c>.</summary>
public enum FanOutMode
{
    Auto,
    On,
    Off,
}
