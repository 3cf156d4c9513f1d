using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// One venue as a scan sees it: its fresh order book, its costs, its quote's rate into the reference currency, and what
/// it holds (an arbitrage sells only the base the selling venue holds and buys only with the quote the buying venue holds).
/// </summary>
public sealed record VenueBook(
    string Venue,
    OrderBook Book,
    decimal TakerFeePercent,
    decimal SlippagePercent,
    decimal QuoteRate,
    decimal BaseFree,
    decimal QuoteFree)
{
    public string Symbol => Book.Symbol;
}
