using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>Settings section <c>Exchange</c> for the paper exchange over replayed candles.</summary>
public sealed class PaperExchangeOptions
{
    public const string Section = "Exchange";

    /// <summary><c>paper</c> (the only venue in this build: a paper account over replayed real candles).</summary>
    [Required]
    public string Name { get; set; } = "paper";

    /// <summary>Folder of candle files named <c>BASE_QUOTE-TIMEFRAME.csv</c>; relative paths resolve against the app folder.</summary>
    [Required]
    public string ReplayDirectory { get; set; } = "data/candles";

    /// <summary>Market seconds replayed per wall-clock second (30: a 5m candle every 10 s scan).</summary>
    [Range(0.001, 1_000_000.0)]
    public double ReplaySpeed { get; set; } = 30;

    [Required]
    public string QuoteCurrency { get; set; } = "USDT";

    /// <summary>Quote balance of a new paper account.</summary>
    [Range(0.0, 1_000_000_000.0)]
    public decimal StartingBalance { get; set; } = 10_000m;

    /// <summary>Taker fee, percent of the fill's cost, charged in quote currency.</summary>
    [Range(0.0, 5.0)]
    public decimal TakerFeePercent { get; set; } = 0.1m;

    /// <summary>Slippage of a market order beyond the touch, percent.</summary>
    [Range(0.0, 5.0)]
    public decimal SlippagePercent { get; set; } = 0.02m;

    /// <summary>Narrowest modelled bid/ask spread, percent of price.</summary>
    [Range(0.0, 5.0)]
    public decimal MinSpreadPercent { get; set; } = 0.01m;

    /// <summary>Modelled spread as a fraction of the candle's high-low range.</summary>
    [Range(0.0, 1.0)]
    public decimal RangeSpreadFactor { get; set; } = 0.05m;

    /// <summary>Orders below this quote notional are rejected.</summary>
    [Range(0.0, 1_000_000.0)]
    public decimal MinNotional { get; set; } = 5m;
}
