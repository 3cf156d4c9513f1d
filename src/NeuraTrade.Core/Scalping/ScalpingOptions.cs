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
}
