using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// Settings section <c>Scalping</c>. Defaults are the seed's; <see cref="Profile"/> applies a preset
/// first, and any key set explicitly wins over the preset.
/// </summary>
public sealed class ScalpingOptions
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
    /// The seed's <c>scalping.enabled</c>. False: no scan enters (open positions still exit) and the status says scalping is
    /// disabled by configuration, whatever the runtime toggle says; only a change of this setting turns it back on.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The seed's <c>scan_interval</c> (<c>10s</c>): the local host runs the timer on it. The Functions app's trigger reads
    /// <see cref="ScheduleSetting"/>, so there it must agree with that schedule (start-up names the value to set).
    /// </summary>
    public TimeSpan? ScanInterval { get; set; }

    /// <summary>Whether the scalper trades before anyone has toggled it.</summary>
    public bool ActiveByDefault { get; set; } = true;

    [Range(1, 100)]
    public int MaxPositions { get; set; } = 3;

    /// <summary>Largest position, in quote currency (USDT).</summary>
    [Range(1.0, 10_000_000.0)]
    public decimal MaxPositionSize { get; set; } = 100m;

    /// <summary>Realized loss for the UTC day, in quote currency, after which no new entry is made that day.</summary>
    [Range(0.01, 10_000_000.0)]
    public decimal MaxDailyLoss { get; set; } = 100m;

    /// <summary>A position still open after this long is closed (<c>timeout</c>).</summary>
    public TimeSpan PositionHoldTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Smallest net edge an entry may target, percent: the take-profit's distance from the entry less the round-trip
    /// cost (both taker fees <see cref="FeePercent"/>, slippage <see cref="ExpectedSlippagePercent"/> on both legs, and the
    /// current spread). See <see cref="Risk.RoundTripCost"/>.
    /// </summary>
    [Range(0.0, 100.0)]
    public decimal MinNetEdgePercent { get; set; } = 0.02m;

    /// <summary>
    /// The seed's <c>min_spread_percent</c>: kept as another name for <see cref="MinNetEdgePercent"/> (it always meant
    /// "the least a trade must earn"; as a raw target distance it let trades through that lose the fees).
    /// </summary>
    [Range(0.0, 100.0)]
    public decimal MinSpreadPercent
    {
        get => MinNetEdgePercent;
        set => MinNetEdgePercent = value;
    }

    /// <summary>Taker fee per leg the venue charges, percent of the fill's value (Binance spot 0.1); the cost model's fee.</summary>
    [Range(0.0, 5.0)]
    public decimal FeePercent { get; set; } = 0.1m;

    /// <summary>Slippage expected per market-order leg beyond the touch, percent; the cost model's slippage.</summary>
    [Range(0.0, 5.0)]
    public decimal ExpectedSlippagePercent { get; set; } = 0.02m;

    /// <summary>The round-trip cost model these settings describe.</summary>
    public Risk.RoundTripCost Costs => new(FeePercent, ExpectedSlippagePercent, MinNetEdgePercent);

    /// <summary>Widest bid/ask spread at which a new entry is allowed, percent of mid.</summary>
    [Range(0.0, 100.0)]
    public decimal MaxSpreadPercent { get; set; } = 0.25m;

    /// <summary>Entries below this confidence are not taken.</summary>
    [Range(0.0, 1.0)]
    public decimal MinConfidence { get; set; } = 0.6m;

    /// <summary>Smallest order worth placing, quote currency (Binance's usual minimum notional).</summary>
    [Range(0.0, 1_000_000.0)]
    public decimal MinOrderNotional { get; set; } = 10m;

    /// <summary>Sizing leaves this much room (percent) for slippage so a fill never exceeds <see cref="MaxPositionSize"/>.</summary>
    [Range(0.0, 10.0)]
    public decimal SizingBufferPercent { get; set; } = 0.5m;

    /// <summary>No new entry in a symbol for this long after a stop-loss there (00:00:00 = off).</summary>
    public TimeSpan StopLossCooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>After this many losing trades in a row, entries pause for <see cref="LossStreakPause"/> (0 = off).</summary>
    [Range(0, 1000)]
    public int MaxConsecutiveLosses { get; set; } = 3;

    /// <summary>How long entries pause after <see cref="MaxConsecutiveLosses"/> losses in a row.</summary>
    public TimeSpan LossStreakPause { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Entries halt while the UTC day's equity (realized plus unrealized PnL) is this far below the day's peak, quote currency.
    /// Independent of <see cref="MaxDailyLoss"/>: it also stops giving back a winning day.
    /// </summary>
    [Range(0.01, 10_000_000.0)]
    public decimal MaxDrawdown { get; set; } = 150m;

    /// <summary>Whether entries may open shorts (sell first). Spot paper cannot: a sell needs the base currency.</summary>
    public bool AllowShort { get; set; }

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

    /// <summary>An entry decision older than this is not executed (it was about another market).</summary>
    public TimeSpan MaxDecisionAge { get; set; } = TimeSpan.FromMinutes(5);
}
