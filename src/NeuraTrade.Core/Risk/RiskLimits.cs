using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Core.Risk;

/// <summary>
/// The hard limits the <see cref="RiskGate"/> enforces, read from the same <c>Scalping</c> keys as the scalper's other
/// settings (the scalper's options extend this type, so a profile and an explicit key set them once for both). Nothing
/// a brain says can widen them.
/// </summary>
public class RiskLimits
{
    /// <summary>
    /// The seed's <c>scalping.enabled</c>. False: no scan enters (open positions still exit) and the status says scalping is
    /// disabled by configuration, whatever the runtime toggle says; only a change of this setting turns it back on.
    /// </summary>
    public bool Enabled { get; set; } = true;

    [Range(1, 100)]
    public int MaxPositions { get; set; } = 3;

    /// <summary>Largest position, in quote currency (USDT).</summary>
    [Range(1.0, 10_000_000.0)]
    public decimal MaxPositionSize { get; set; } = 100m;

    /// <summary>Realized loss for the UTC day, in quote currency, after which no new entry is made that day.</summary>
    [Range(0.01, 10_000_000.0)]
    public decimal MaxDailyLoss { get; set; } = 100m;

    /// <summary>
    /// Smallest net edge an entry may target, percent: the take-profit's distance from the entry less the round-trip
    /// cost (both taker fees <see cref="FeePercent"/>, slippage <see cref="ExpectedSlippagePercent"/> on both legs, and the
    /// current spread). See <see cref="RoundTripCost"/>.
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
    public RoundTripCost Costs => new(FeePercent, ExpectedSlippagePercent, MinNetEdgePercent);

    /// <summary>Widest bid/ask spread at which a new entry is allowed, percent of mid.</summary>
    [Range(0.0, 100.0)]
    public decimal MaxSpreadPercent { get; set; } = 0.25m;

    /// <summary>Entries below this confidence are not taken.</summary>
    [Range(0.0, 1.0)]
    public decimal MinConfidence { get; set; } = 0.6m;

    /// <summary>Smallest order worth placing, quote currency (Binance's usual minimum notional).</summary>
    [Range(0.0, 1_000_000.0)]
    public decimal MinOrderNotional { get; set; } = 10m;

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
}
