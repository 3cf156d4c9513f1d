using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Arbitrage;

/// <summary>
/// Replays two (or more) venues' minute data on one clock and arbitrages between them with the live strategy's parts: the
/// books of each venue as its paper exchange models them (<see cref="ReplayMarketData.ModelOrderBook"/>), the
/// <see cref="OpportunityFinder"/>, and the paper fill model (<see cref="PaperFillModel"/>) for both legs.
/// <para>
/// A scan runs at the close of each minute every venue has a candle for, and sees only what was known then: a venue's
/// quote is its real best bid/ask at that bar's close where its quote bars have the minute, else the paper model's
/// (one tick wide around the candle's close); the book's depth is the paper model's, from that candle's volume. Both legs
/// fill at once against those books; inventory moves with the fills and bounds what the next scan may trade.
/// </para>
/// </summary>
public static class ArbitrageBacktest
{
    public static ArbitrageBacktestReport Run(IReadOnlyList<ArbitrageFeed> feeds, ArbitrageOptions options, PaperExchangeOptions books)
    {
        if (feeds.Count < 2)
        {
            throw new InvalidOperationException("an arbitrage backtest needs at least two venues");
        }

        var candles = feeds.Select(f => f.Candles.ToDictionary(c => c.OpenTime)).ToList();
        var quotes = feeds.Select(f => f.Quotes.ToDictionary(q => q.OpenTime)).ToList();
        var minutes = feeds[0].Candles.Select(c => c.OpenTime).Where(t => candles.All(c => c.ContainsKey(t))).ToList();
        var baseHeld = new decimal[feeds.Count];
        var quoteHeld = new decimal[feeds.Count];
        var startBase = new decimal[feeds.Count];
        var startQuote = new decimal[feeds.Count];
        var trades = new List<ArbitrageBacktestTrade>();
        var held = new List<ArbitrageBacktestHold>();
        var edges = new List<ArbitrageEdgePoint>(minutes.Count);
        var history = new List<ArbitrageInventoryPoint>();
        var best = decimal.MinValue;
        DateTimeOffset? bestAt = null;
        string? bestPair = null;
        var started = false;

        foreach (var minute in minutes)
        {
            var at = minute + TimeSpan.FromMinutes(1);
            var venues = new VenueBook[feeds.Count];
            for (var v = 0; v < feeds.Count; v++)
            {
                var ticker = Quote(feeds[v], candles[v][minute], quotes[v].GetValueOrDefault(minute), at);
                if (!started)
                {
                    // Half the starting value in base at the first scan's mid, half in quote.
                    var half = feeds[v].StartingValue / 2m;
                    startBase[v] = baseHeld[v] = Math.Round(half / (ticker.Mid * feeds[v].QuoteRate), 8, MidpointRounding.ToZero);
                    startQuote[v] = quoteHeld[v] = Math.Round(half / feeds[v].QuoteRate, 8, MidpointRounding.ToZero);
                }

                venues[v] = new VenueBook(feeds[v].Venue, ReplayMarketData.ModelOrderBook(ticker, books, null), feeds[v].TakerFeePercent, feeds[v].SlippagePercent, feeds[v].QuoteRate, baseHeld[v], quoteHeld[v]);
            }

            if (!started)
            {
                history.Add(new ArbitrageInventoryPoint(at, [.. baseHeld], [.. quoteHeld]));
            }

            started = true;
            var scan = OpportunityFinder.Scan(venues, options);
            if (scan.Best is { } seen)
            {
                edges.Add(new ArbitrageEdgePoint(at, seen.TopNetEdgePercent, $"buy {seen.BuyVenue}, sell {seen.SellVenue}"));
            }

            if (scan.Best is { } top && top.TopNetEdgePercent > best)
            {
                (best, bestAt, bestPair) = (top.TopNetEdgePercent, at, $"buy {top.BuyVenue}, sell {top.SellVenue}");
            }

            if (scan.Trade is not { } trade)
            {
                if (scan.Best is { Refusal: { } why } blocked && blocked.TopNetEdgePercent >= options.MinNetEdgePercent)
                {
                    held.Add(new ArbitrageBacktestHold(at, blocked.BuyVenue, blocked.SellVenue, blocked.TopNetEdgePercent, why));
                }

                continue;
            }

            var b = Array.FindIndex(venues, x => x.Venue == trade.BuyVenue);
            var s = Array.FindIndex(venues, x => x.Venue == trade.SellVenue);
            var buy = Fill(venues[b].Book.Asks, OrderSide.Buy, trade.Amount, feeds[b]);
            var sell = Fill(venues[s].Book.Bids, OrderSide.Sell, trade.Amount, feeds[s]);
            baseHeld[b] += trade.Amount;
            quoteHeld[b] -= buy.Cost + buy.Fee;
            baseHeld[s] -= trade.Amount;
            quoteHeld[s] += sell.Cost - sell.Fee;
            var profit = ((sell.Cost - sell.Fee) * feeds[s].QuoteRate) - ((buy.Cost + buy.Fee) * feeds[b].QuoteRate);
            // As the desk records a live one: the profit in percent of the buy's cost in the reference currency.
            var captured = buy.Cost > 0m ? Math.Round(profit / (buy.Cost * feeds[b].QuoteRate) * 100m, 6, MidpointRounding.ToZero) : 0m;
            trades.Add(new ArbitrageBacktestTrade(at, trade.BuyVenue, trade.SellVenue, trade.Amount, buy.Price, sell.Price, buy.Fee, sell.Fee, trade.NetEdgePercent, trade.ExpectedProfit, profit)
            {
                CapturedNetEdgePercent = captured,
                BuyFeeValue = buy.Fee * feeds[b].QuoteRate,
                SellFeeValue = sell.Fee * feeds[s].QuoteRate,
            });
            history.Add(new ArbitrageInventoryPoint(at, [.. baseHeld], [.. quoteHeld]));
        }

        var inventory = feeds.Select((f, v) => new ArbitrageVenueInventory(f.Venue, f.Symbol, startBase[v], startQuote[v], baseHeld[v], quoteHeld[v])).ToList();
        if (edges.Count > 0 && (history.Count == 0 || history[^1].Time != edges[^1].Time))
        {
            history.Add(new ArbitrageInventoryPoint(edges[^1].Time, [.. baseHeld], [.. quoteHeld]));
        }

        return new ArbitrageBacktestReport(minutes.Count, bestAt is null ? 0m : best, bestAt, bestPair, trades, held, inventory, options.MinNetEdgePercent)
        {
            Edges = edges,
            InventoryHistory = history,
        };
    }

    /// <summary>
    /// The venue's quote at <paramref name="at"/>, the close of <paramref name="candle"/>: its real best bid/ask from the quote
    /// bar of that minute when there is one, else the paper model's, one tick wide around the close. The base volume is the
    /// candle's (the book's depth).
    /// </summary>
    public static Ticker Quote(ArbitrageFeed feed, Candle candle, QuoteBar? bar, DateTimeOffset at)
    {
        var (bid, ask) = bar is { BidClose: > 0m, AskClose: > 0m } real && real.AskClose >= real.BidClose
            ? (real.BidClose, real.AskClose)
            : (candle.Close - (feed.TickSize / 2m), candle.Close + (feed.TickSize / 2m));
        return new Ticker(feed.Symbol, at, bid, ask, (bid + ask) / 2m, candle.High, candle.Low, candle.Volume);
    }

    private static (decimal Price, decimal Cost, decimal Fee) Fill(IReadOnlyList<OrderBookLevel> levels, OrderSide side, decimal amount, ArbitrageFeed feed)
    {
        var walk = PaperFillModel.Walk(levels, side, amount, null);
        var price = PaperFillModel.Slipped(walk.AveragePrice, side, feed.SlippagePercent, null);
        var cost = PaperFillModel.Round(amount * price);
        return (price, cost, PaperFillModel.Fee(cost, feed.TakerFeePercent));
    }
}
