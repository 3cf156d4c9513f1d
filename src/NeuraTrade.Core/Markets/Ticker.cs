namespace NeuraTrade.Core.Markets;

/// <summary>ccxt's unified ticker, the fields the engine uses.</summary>
public sealed record Ticker(
    string Symbol,
    DateTimeOffset Timestamp,
    decimal Bid,
    decimal Ask,
    decimal Last,
    decimal High,
    decimal Low,
    decimal BaseVolume)
{
    public decimal Mid => (Bid + Ask) / 2m;

    /// <summary>Bid/ask spread as a percent of the mid price.</summary>
    public decimal SpreadPercent => Mid == 0m ? 0m : (Ask - Bid) / Mid * 100m;
}
