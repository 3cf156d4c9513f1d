using System.ComponentModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tools;

/// <summary>
/// The arbitrage strategy's tools (<see cref="TradingToolKind.Arbitrage"/>, offered to <c>arbitrage</c> only). Each call
/// reads every venue afresh through the desk's own scan (<see cref="ArbitrageDesk.ScanAsync"/>), so the model sees exactly
/// the books, balances and net edges the desk would act on now, not the ones in its prompt. Read-only: an arbitrage is
/// carried out by the decision path (the desk, its switch, its cap and the account gate), never by a tool. Answers are
/// JSON objects in snake_case; a venue that fails to answer is an <c>{"error": …}</c> result the model can read.
/// Money figures in the reference currency are rounded to 8 decimals.
/// </summary>
public sealed class ArbitrageToolbox(ArbitrageDesk desk, ArbitrageOptions options)
{
    /// <summary>The most book levels per side <c>get_venue_books</c> returns (every level is paid for in tokens).</summary>
    public const int MaxLevels = 20;

    private static readonly JsonSerializerOptions Json = new(AIJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public ArbitrageToolbox(ArbitrageDesk desk)
        : this(desk, desk.Options)
    {
    }

    /// <summary>Adds <c>find_arbitrage</c>, <c>get_venue_books</c> and <c>get_inventory</c> to <paramref name="registry"/>.</summary>
    public ToolRegistry Register(ToolRegistry registry)
    {
        Add(registry, "find_arbitrage", "Every ordered pair of venues (buy on one, sell on the other) judged from fresh books and balances: net edge after both taker fees, slippage, the quote conversion and the safety buffer; the executable amount, average prices, expected profit, and why a pair is not tradable.", FindArbitrageAsync);
        Add(registry, "get_venue_books", "Each venue's order book now: the top levels per side as [price, amount] in the venue's own quote currency, with its taker fee, slippage and the quote's rate into the reference currency.", GetVenueBooksAsync);
        Add(registry, "get_inventory", "Each venue's free base and quote, and their value in the reference currency (base at the venue's mid): an arbitrage sells only the base the selling venue holds and buys only with the buying venue's quote.", GetInventoryAsync);
        return registry;
    }

    private async Task<object> FindArbitrageAsync(CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            var (scan, _) = await desk.ScanAsync(cancellationToken);
            return new
            {
                min_net_edge_pct = options.MinNetEdgePercent,
                safety_buffer_pct = options.SafetyBufferPercent,
                max_notional = options.MaxNotional,
                min_notional = options.MinNotional,
                pairs = scan.Pairs.Select(p => new
                {
                    buy_venue = p.BuyVenue,
                    buy_symbol = p.BuySymbol,
                    sell_venue = p.SellVenue,
                    sell_symbol = p.SellSymbol,
                    best_ask = p.BestAsk,
                    best_bid = p.BestBid,
                    top_net_edge_pct = p.TopNetEdgePercent,
                    amount = p.Amount,
                    buy_price = p.BuyPrice,
                    sell_price = p.SellPrice,
                    net_edge_pct = p.NetEdgePercent,
                    expected_profit = p.ExpectedProfit,
                    tradable = p.Tradable,
                    refusal = p.Refusal,
                }),
                best_trade = scan.Trade is { } t ? $"buy {t.BuyVenue}, sell {t.SellVenue}" : null,
            };
        });

    private async Task<object> GetVenueBooksAsync([Description("levels per side, 1 to 20")] int levels, CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            if (levels is < 1 or > MaxLevels)
            {
                return Error($"levels must be 1 to {MaxLevels}");
            }

            var (_, books) = await desk.ScanAsync(cancellationToken);
            return new
            {
                venues = books.Select(b => new
                {
                    venue = b.Venue,
                    symbol = b.Symbol,
                    taker_fee_pct = b.TakerFeePercent,
                    slippage_pct = b.SlippagePercent,
                    quote_rate = b.QuoteRate,
                    bids = b.Book.Bids.Take(levels).Select(l => new[] { l.Price, l.Amount }),
                    asks = b.Book.Asks.Take(levels).Select(l => new[] { l.Price, l.Amount }),
                }),
            };
        });

    private async Task<object> GetInventoryAsync(CancellationToken cancellationToken) =>
        await GuardAsync(async () =>
        {
            var (_, books) = await desk.ScanAsync(cancellationToken);
            var views = books.Select(b =>
            {
                var mid = Mid(b.Book);
                var baseValue = mid is { } m ? R8(b.BaseFree * m * b.QuoteRate) : (decimal?)null;
                var quoteValue = R8(b.QuoteFree * b.QuoteRate);
                return new
                {
                    venue = b.Venue,
                    symbol = b.Symbol,
                    base_asset = MarketSymbol.Base(b.Symbol),
                    quote_asset = MarketSymbol.Quote(b.Symbol),
                    base_free = b.BaseFree,
                    quote_free = b.QuoteFree,
                    mid,
                    quote_rate = b.QuoteRate,
                    base_value = baseValue,
                    quote_value = quoteValue,
                    value = baseValue is { } bv ? bv + quoteValue : (decimal?)null,
                };
            }).ToList();
            var totalBase = views.Sum(v => v.base_free);
            return new
            {
                venues = views.Select(v => new
                {
                    v.venue,
                    v.symbol,
                    v.base_asset,
                    v.quote_asset,
                    v.base_free,
                    v.quote_free,
                    v.mid,
                    v.quote_rate,
                    v.base_value,
                    v.quote_value,
                    v.value,
                    base_share = totalBase == 0m ? 0m : Math.Round(v.base_free / totalBase, 4),
                }),
                total_base = totalBase,
                total_value = views.All(v => v.value is not null) ? views.Sum(v => v.value!.Value) : (decimal?)null,
            };
        });

    private static decimal? Mid(OrderBook book) =>
        book.Bids.Count > 0 && book.Asks.Count > 0 ? (book.Bids[0].Price + book.Asks[0].Price) / 2m : null;

    private static decimal R8(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);

    private static void Add(ToolRegistry registry, string name, string description, Delegate method) =>
        registry.Register(new TradingTool(name, TradingToolKind.Arbitrage, AIFunctionFactory.Create(method, new AIFunctionFactoryOptions { Name = name, Description = description, SerializerOptions = Json })));

    /// <summary>A venue that cannot be read is a result the model can read, never an exception in its tool loop.</summary>
    private static async Task<object> GuardAsync(Func<Task<object>> body)
    {
        try
        {
            return await body();
        }
        catch (ExchangeException ex)
        {
            return Error($"{ex.ErrorType}: {ex.Message}");
        }
    }

    private static object Error(string message) => new { error = message };
}
