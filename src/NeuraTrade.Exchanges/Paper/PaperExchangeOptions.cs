using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>Settings section <c>Exchange</c> for the paper exchange over replayed candles.</summary>
public sealed class PaperExchangeOptions
{
    public const string Section = "Exchange";

    /// <summary>
    /// <c>paper</c>: the simulated account. Which venue really trades is <c>Trading:Mode</c> (paper, testnet, live);
    /// this key only guards against old settings that expected <c>binance</c> here.
    /// </summary>
    [Required]
    public string Name { get; set; } = "paper";

    /// <summary>Where paper market data comes from: <c>replay</c> (bundled candles, offline, default) or <c>binance</c> (live public feed).</summary>
    [Required]
    public string MarketData { get; set; } = "replay";

    /// <summary>Folder of candle files named <c>BASE_QUOTE-TIMEFRAME.csv</c>; relative paths resolve against the app folder.</summary>
    [Required]
    public string ReplayDirectory { get; set; } = "data/replay";

    /// <summary>Market seconds replayed per wall-clock second (6: a 1m candle every 10 s scan, so each scan sees a new candle).</summary>
    [Range(0.001, 1_000_000.0)]
    public double ReplaySpeed { get; set; } = 6;

    /// <summary>
    /// The wall instant that shows the replay's first candle (ISO 8601, e.g. <c>2026-03-02T10:00:00Z</c>). Unset: the
    /// first start of the app (stored in Table Storage, so every process and every restart shows the same market time).
    /// </summary>
    public string? ReplayAnchor { get; set; }

    /// <summary>
    /// At the end of the data the replay closes what is open at the last price (<c>end_of_data</c>) and stops entering.
    /// True: it then starts again from the first candle (a new lap, market time moved forward by whole days).
    /// </summary>
    public bool ReplayLoop { get; set; }

    [Required]
    public string QuoteCurrency { get; set; } = "USDT";

    /// <summary>Quote balance of a new paper account.</summary>
    [Range(0.0, 1_000_000_000.0)]
    public decimal StartingBalance { get; set; } = 10_000m;

    /// <summary>
    /// More currencies a new paper account starts with, beside <see cref="StartingBalance"/> of <see cref="QuoteCurrency"/>:
    /// e.g. <c>Exchange__StartingBalances__BTC=0.05</c> funds BTC-quoted markets (ETH/BTC) in a USDT account explicitly.
    /// </summary>
    public Dictionary<string, decimal> StartingBalances { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every balance a new paper account starts with: <see cref="StartingBalances"/> plus <see cref="StartingBalance"/> of <see cref="QuoteCurrency"/>.</summary>
    public Dictionary<string, decimal> OpeningBalances()
    {
        var balances = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (currency, amount) in StartingBalances)
        {
            var key = currency.Trim().ToUpperInvariant();
            balances[key] = amount >= 0m ? amount : throw new InvalidOperationException($"Exchange:StartingBalances:{currency} must not be negative");
        }

        balances[QuoteCurrency] = StartingBalance;
        return balances;
    }

    /// <summary>
    /// Which asset pays the fee, as on the venue the paper account imitates: <c>received</c> (Binance spot, default: a
    /// BUY pays in the base asset it receives, a SELL in the quote) or <c>quote</c> (every fee in the quote currency).
    /// </summary>
    [Required]
    [RegularExpression("^(received|quote)$", ErrorMessage = "Exchange:FeeAsset must be 'received' (Binance spot) or 'quote'")]
    public string FeeAsset { get; set; } = FeeAssets.Received;

    /// <summary>True when a BUY's fee is taken from the base asset received.</summary>
    public bool BuyFeeInBase => string.Equals(FeeAsset, FeeAssets.Received, StringComparison.OrdinalIgnoreCase);

    /// <summary>Taker fee (market orders, and limit orders that cross at once), percent of the fill (in the asset <see cref="FeeAsset"/> names).</summary>
    [Range(0.0, 5.0)]
    public decimal TakerFeePercent { get; set; } = 0.1m;

    /// <summary>Maker fee (resting limit orders that fill later), percent of the fill (in the asset <see cref="FeeAsset"/> names).</summary>
    [Range(0.0, 5.0)]
    public decimal MakerFeePercent { get; set; } = 0.1m;

    /// <summary>Slippage of a market order beyond the touch, percent.</summary>
    [Range(0.0, 5.0)]
    public decimal SlippagePercent { get; set; } = 0.02m;

    /// <summary>
    /// Widens the modelled replay spread (one tick of the market, <see cref="MarketTicks"/>) by this fraction of the last
    /// closed candle's high-low range, rounded up to whole ticks. 0 (off) by default: on Coinbase's real minute quotes the
    /// median spread is one tick whatever the range (docs/exchanges.md, "Modelled spread against real spreads").
    /// </summary>
    [Range(0.0, 1.0)]
    public decimal RangeSpreadFactor { get; set; }

    /// <summary>Orders below this quote notional are rejected (replay markets; the live feed uses the venue's own rules).</summary>
    [Range(0.0, 1_000_000.0)]
    public decimal MinNotional { get; set; } = 5m;

    /// <summary>Amount step of replayed markets: amounts are rounded down to it.</summary>
    [Range(0.0, 1_000_000.0)]
    public decimal AmountStep { get; set; } = 0.00000001m;

    /// <summary>Levels per side of the modelled order book.</summary>
    [Range(1, 1000)]
    public int BookLevels { get; set; } = 20;

    /// <summary>Distance between modelled book levels, percent of price.</summary>
    [Range(0.0, 5.0)]
    public decimal BookLevelStepPercent { get; set; } = 0.01m;

    /// <summary>Base amount resting at each modelled level, as a fraction of the last closed candle's volume.</summary>
    [Range(0.0, 1.0)]
    public decimal BookLevelVolumeFraction { get; set; } = 0.01m;

    /// <summary>Quote value per modelled level when the last closed candle has no volume (or there is none yet).</summary>
    [Range(0.0, 1_000_000_000.0)]
    public decimal BookFallbackLevelNotional { get; set; } = 10_000m;
}

/// <summary>Values of <see cref="PaperExchangeOptions.FeeAsset"/>.</summary>
public static class FeeAssets
{
    public const string Received = "received";
    public const string Quote = "quote";
}
