using System.ComponentModel.DataAnnotations;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// Settings section <c>Arbitrage</c>: the venues one market is compared across, the costs an opportunity must clear and
/// the arbitrage's own limits (its notional cap and toggle; the account-wide daily loss and kill switch still apply).
/// Amounts (<see cref="MaxNotional"/>, <see cref="MinNotional"/>) are in the reference currency every venue's quote is
/// converted to with <see cref="QuoteRates"/>.
/// </summary>
public sealed class ArbitrageOptions
{
    public const string Section = "Arbitrage";

    /// <summary>The flat app setting the <c>ArbitrageScan</c> timer reads its schedule from.</summary>
    public const string ScheduleSetting = "ArbitrageScanSchedule";

    /// <summary>Default 6-field NCRONTAB: every 10 seconds.</summary>
    public const string DefaultScanSchedule = "*/10 * * * * *";

    /// <summary>Whether arbitrage trades at all before anyone toggles it (its own toggle, apart from scalping's).</summary>
    public bool Enabled { get; set; }

    /// <summary>The venues, at least two to arbitrage between.</summary>
    public ArbitrageVenueOptions[] Venues { get; set; } = [];

    /// <summary>
    /// What one unit of each venue's quote currency is worth in the reference currency (<c>Arbitrage:QuoteRates:BUSD=1</c>):
    /// BTC/BUSD on one venue is compared with BTC/USDT on another through these. A venue's quote without a rate stops the start.
    /// </summary>
    public Dictionary<string, decimal> QuoteRates { get; set; } = new(StringComparer.OrdinalIgnoreCase) { ["BUSD"] = 1m, ["USDT"] = 1m };

    /// <summary>The least net edge (percent of the buy, after both taker fees, slippage, conversion and the buffer) worth trading.</summary>
    [Range(0.0, 100.0)]
    public decimal MinNetEdgePercent { get; set; } = 0.02m;

    /// <summary>Taken off every edge for what the model cannot see (quotes moving between the two legs), in percent.</summary>
    [Range(0.0, 100.0)]
    public decimal SafetyBufferPercent { get; set; } = 0.01m;

    /// <summary>The most one arbitrage buys, in the reference currency.</summary>
    [Range(0.0, double.MaxValue)]
    public decimal MaxNotional { get; set; } = 100m;

    /// <summary>The least one leg is worth, in the reference currency (venues refuse smaller orders).</summary>
    [Range(0.0, double.MaxValue)]
    public decimal MinNotional { get; set; } = 5m;

    /// <summary>
    /// The default paper setup, used while no <c>Arbitrage:Venues</c> are configured: the bundled day of Binance BTC/BUSD and
    /// Bybit BTC/USDT (data/arbitrage), each venue with its own replay and Binance's standard 0.1% taker fee.
    /// </summary>
    public static IReadOnlyList<ArbitrageVenueOptions> DefaultPaperVenues { get; } =
    [
        new() { Name = "binance", Exchange = "paper", Symbol = "BTC/BUSD", ReplayDirectory = "data/arbitrage/binance", TakerFeePercent = 0.1m },
        new() { Name = "bybit", Exchange = "paper", Symbol = "BTC/USDT", ReplayDirectory = "data/arbitrage/bybit", TakerFeePercent = 0.1m },
    ];

    /// <summary>The configured venues, or <see cref="DefaultPaperVenues"/> when none are.</summary>
    public IReadOnlyList<ArbitrageVenueOptions> EffectiveVenues => Venues.Length > 0 ? Venues : DefaultPaperVenues;

    /// <summary>The rate of <paramref name="quote"/>, or null when none is set.</summary>
    public decimal? RateOf(string quote) => QuoteRates.TryGetValue(quote, out var rate) ? rate : null;

    /// <summary>Why these settings cannot run, naming the key and the fix; null when they can.</summary>
    public string? Problem()
    {
        if (Venues.Length == 1)
        {
            return "Arbitrage:Venues has one venue: an arbitrage needs at least two (or none, for the bundled paper pair)";
        }

        for (var i = 0; i < Venues.Length; i++)
        {
            var v = Venues[i];
            if (string.IsNullOrWhiteSpace(v.Name))
            {
                return $"Arbitrage:Venues:{i}:Name is empty: name the venue (e.g. binance)";
            }

            if (v.Exchange is not ("paper" or "binance"))
            {
                return $"Arbitrage:Venues:{i}:Exchange is '{v.Exchange}': it must be paper or binance";
            }

            if (!MarketSymbol.TryNormalize(v.Symbol, out var symbol))
            {
                return $"Arbitrage:Venues:{i}:Symbol '{v.Symbol}' is not a symbol like BTC/USDT";
            }

            if (RateOf(MarketSymbol.Quote(symbol)) is not > 0m)
            {
                return $"Arbitrage:QuoteRates:{MarketSymbol.Quote(symbol)} is not set (venue {v.Name} quotes {symbol}): set what one {MarketSymbol.Quote(symbol)} is worth in the reference currency, e.g. Arbitrage:QuoteRates:{MarketSymbol.Quote(symbol)}=1";
            }

            if (v.TakerFeePercent is < 0m or > 10m)
            {
                return $"Arbitrage:Venues:{i}:TakerFeePercent must be between 0 and 10";
            }
        }

        var bases = Venues.Select(v => MarketSymbol.TryNormalize(v.Symbol, out var s) ? MarketSymbol.Base(s) : v.Symbol).Distinct(StringComparer.Ordinal).ToList();
        if (bases.Count > 1)
        {
            return $"Arbitrage:Venues trade different assets ({string.Join(", ", bases)}): every venue must quote the same base asset";
        }

        return Venues.Select(v => v.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != Venues.Length
            ? "Arbitrage:Venues: two venues have the same Name"
            : null;
    }
}

/// <summary>One venue (<c>Arbitrage:Venues:N</c>): its own exchange port, market, fees and, on paper, its replay and starting inventory.</summary>
public sealed class ArbitrageVenueOptions
{
    /// <summary>What the venue is called in decisions and the status (<c>binance</c>, <c>bybit</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>paper</c> (a replay of the venue's candles) or <c>binance</c>.</summary>
    public string Exchange { get; set; } = "paper";

    /// <summary>The market on this venue, e.g. BTC/BUSD (the symbol mapping: the same base asset on every venue).</summary>
    public string Symbol { get; set; } = string.Empty;

    /// <summary>On paper: the folder of the venue's candles (and quote bars, <c>BASE_QUOTE-1m-quotes.csv</c>).</summary>
    public string? ReplayDirectory { get; set; }

    /// <summary>The venue's taker fee, percent of each leg's cost.</summary>
    public decimal TakerFeePercent { get; set; } = 0.1m;

    /// <summary>Expected slippage beyond the walked book, percent of the price (the paper venue's <c>SlippagePercent</c>).</summary>
    public decimal SlippagePercent { get; set; }

    /// <summary>On paper: the inventory the venue starts with, in the reference currency, half in the base asset and half in quote.</summary>
    public decimal StartingValue { get; set; } = 1_000m;
}
