namespace NeuraTrade.Core.Markets;

/// <summary>
/// ccxt's unified ticker. The first fields are what the engine uses; the optional ones are filled by venues that
/// report them (24h statistics), null otherwise.
/// </summary>
public sealed record Ticker(
    string Symbol,
    DateTimeOffset Timestamp,
    decimal Bid,
    decimal Ask,
    decimal Last,
    decimal High,
    decimal Low,
    decimal BaseVolume,
    decimal? BidVolume = null,
    decimal? AskVolume = null,
    decimal? Open = null,
    decimal? QuoteVolume = null,
    decimal? Vwap = null,
    decimal? PreviousClose = null,
    decimal? Change = null,
    decimal? Percentage = null)
{
    public decimal Mid => (Bid + Ask) / 2m;

    /// <summary>Bid/ask spread as a percent of the mid price.</summary>
    public decimal SpreadPercent => Mid == 0m ? 0m : (Ask - Bid) / Mid * 100m;
}
