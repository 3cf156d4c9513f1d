using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Core.Brain;

/// <summary>Settings section <c>AI</c> (the seed's <c>ai:</c> block).</summary>
public sealed class BrainOptions
{
    public const string Section = "AI";

    /// <summary>Which brain decides. <c>rules</c> needs no network and no key.</summary>
    [Required]
    public string Provider { get; set; } = "rules";

    public string? Model { get; set; }

    /// <summary>Proposals below this confidence become HOLD.</summary>
    [Range(0.0, 1.0)]
    public decimal MinConfidence { get; set; } = 0.6m;

    /// <summary>The largest <c>size_percent</c> a decision may ask for.</summary>
    [Range(0.01, 100.0)]
    public decimal MaxSizePercent { get; set; } = 25m;

    /// <summary>How far (percent of mid) a proposed entry may sit from the market.</summary>
    [Range(0.001, 50.0)]
    public decimal EntryBandPercent { get; set; } = 0.5m;

    /// <summary>Short entries on a spot venue need borrowing; off unless a venue supports it.</summary>
    public bool AllowShort { get; set; }

    /// <summary>Closed candles of history given to the brain.</summary>
    [Range(30, 1000)]
    public int HistoryCandles { get; set; } = 60;

    /// <summary>Candle timeframe the brain reads.</summary>
    [Required]
    public string Timeframe { get; set; } = "5m";
}
