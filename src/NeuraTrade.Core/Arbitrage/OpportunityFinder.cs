using System.Globalization;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// Finds what buying on one venue and selling on another would earn, net of everything, from the books a scan just read
/// (pure: the live scan, the HTTP decision, the tools and the backtest all ask it). For each ordered pair of venues it
/// walks the buy venue's asks and the sell venue's bids together, level by level, and takes a level only while the edge of
/// that level's prices still clears <see cref="ArbitrageOptions.MinNetEdgePercent"/>; it stops at the arbitrage's notional
/// cap, at the base the selling venue holds and at the quote the buying venue holds (no transfer is ever needed).
/// <para>
/// The edge of one unit bought at ask a (venue B) and sold at bid b (venue S), in percent of the buy:
/// <c>(b·(1 − s_S)·(1 − f_S)·r_S − a·(1 + s_B)·(1 + f_B)·r_B) / (a·(1 + s_B)·r_B) × 100 − buffer</c>, with f the taker fees,
/// s the slippage, r the quote rates into the reference currency.
/// </para>
/// </summary>
public static class OpportunityFinder
{
    public static ArbitrageScan Scan(IReadOnlyList<VenueBook> venues, ArbitrageOptions options)
    {
        var pairs = new List<ArbitrageOpportunity>();
        foreach (var buy in venues)
        {
            foreach (var sell in venues)
            {
                if (!ReferenceEquals(buy, sell))
                {
                    pairs.Add(Judge(buy, sell, options));
                }
            }
        }

        return new ArbitrageScan(pairs);
    }

    /// <summary>Buying on <paramref name="buy"/> and selling on <paramref name="sell"/> now.</summary>
    public static ArbitrageOpportunity Judge(VenueBook buy, VenueBook sell, ArbitrageOptions options)
    {
        var asks = buy.Book.Asks;
        var bids = sell.Book.Bids;
        if (asks.Count == 0 || bids.Count == 0)
        {
            var empty = asks.Count == 0 ? $"{buy.Venue} shows no ask" : $"{sell.Venue} shows no bid";
            return new ArbitrageOpportunity(buy.Venue, buy.Symbol, sell.Venue, sell.Symbol, asks.Count > 0 ? asks[0].Price : 0m, bids.Count > 0 ? bids[0].Price : 0m, 0m, 0m, 0m, 0m, 0m, 0m, empty);
        }

        var fb = buy.TakerFeePercent / 100m;
        var fs = sell.TakerFeePercent / 100m;
        var sb = buy.SlippagePercent / 100m;
        var ss = sell.SlippagePercent / 100m;
        decimal Edge(decimal ask, decimal bid) =>
            Math.Round(((bid * (1m - ss) * (1m - fs) * sell.QuoteRate) - (ask * (1m + sb) * (1m + fb) * buy.QuoteRate)) / (ask * (1m + sb) * buy.QuoteRate) * 100m - options.SafetyBufferPercent, 6, MidpointRounding.ToZero);

        var top = Edge(asks[0].Price, bids[0].Price);
        ArbitrageOpportunity Result(decimal amount, decimal buyPrice, decimal sellPrice, decimal edge, decimal profit, string? refusal) =>
            new(buy.Venue, buy.Symbol, sell.Venue, sell.Symbol, asks[0].Price, bids[0].Price, top, amount, buyPrice, sellPrice, edge, profit, refusal);

        if (top < options.MinNetEdgePercent)
        {
            return Result(0m, 0m, 0m, top, 0m, F($"net edge {top:0.####}% is below Arbitrage:MinNetEdgePercent {options.MinNetEdgePercent}% (taker fees {buy.TakerFeePercent}% + {sell.TakerFeePercent}%, slippage {buy.SlippagePercent}% + {sell.SlippagePercent}%, buffer {options.SafetyBufferPercent}%)"));
        }

        decimal amountTotal = 0m, cost = 0m, proceeds = 0m;
        var askLeft = asks[0].Amount;
        var bidLeft = bids[0].Amount;
        int i = 0, j = 0;
        var bound = "the depth of the two books";
        while (i < asks.Count && j < bids.Count)
        {
            if (Edge(asks[i].Price, bids[j].Price) < options.MinNetEdgePercent)
            {
                bound = "the depth at which the edge still clears the minimum";
                break;
            }

            var paid = asks[i].Price * (1m + sb);
            var byNotional = (options.MaxNotional - (cost * buy.QuoteRate)) / (paid * buy.QuoteRate);
            var byBase = sell.BaseFree - amountTotal;
            var byQuote = (buy.QuoteFree - (cost * (1m + fb))) / (paid * (1m + fb));
            var take = Floor8(Math.Min(Math.Min(askLeft, bidLeft), Math.Min(byNotional, Math.Min(byBase, byQuote))));
            if (take <= 0m)
            {
                bound = byBase <= byNotional && byBase <= byQuote
                    ? F($"the {MarketSymbol.Base(sell.Symbol)} {sell.Venue} holds ({sell.BaseFree})")
                    : byQuote <= byNotional
                        ? F($"the {MarketSymbol.Quote(buy.Symbol)} {buy.Venue} holds ({buy.QuoteFree})")
                        : F($"Arbitrage:MaxNotional ({options.MaxNotional})");
                break;
            }

            amountTotal += take;
            cost += take * paid;
            proceeds += take * bids[j].Price * (1m - ss);
            askLeft -= take;
            bidLeft -= take;
            if (askLeft <= 0m && ++i < asks.Count)
            {
                askLeft = asks[i].Amount;
            }

            if (bidLeft <= 0m && ++j < bids.Count)
            {
                bidLeft = bids[j].Amount;
            }
        }

        if (amountTotal <= 0m || cost * buy.QuoteRate < options.MinNotional)
        {
            return Result(0m, 0m, 0m, top, 0m, F($"net edge {top:0.####}% clears the minimum, but only {amountTotal} {MarketSymbol.Base(buy.Symbol)} ({cost * buy.QuoteRate:0.##} in the reference currency) can be traded, below Arbitrage:MinNotional {options.MinNotional}: limited by {bound}"));
        }

        var profit = Math.Round((proceeds * (1m - fs) * sell.QuoteRate) - (cost * (1m + fb) * buy.QuoteRate), 8, MidpointRounding.ToZero);
        var edge = Math.Round(profit / (cost * buy.QuoteRate) * 100m - options.SafetyBufferPercent, 6, MidpointRounding.ToZero);
        return Result(amountTotal, Round8(cost / amountTotal), Round8(proceeds / amountTotal), edge, profit, null);
    }

    private static decimal Floor8(decimal value) => value <= 0m ? 0m : Math.Round(value, 8, MidpointRounding.ToZero);

    private static decimal Round8(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
