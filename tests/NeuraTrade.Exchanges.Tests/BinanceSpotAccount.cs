using NeuraTrade.TestSupport;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>One spot market's trading rules, as the stand-in's exchangeInfo states them.</summary>
internal sealed record SpotMarketRules(
    string BaseAsset,
    string QuoteAsset,
    decimal StepSize,
    decimal MinQty,
    decimal TickSize,
    decimal MinNotional,
    decimal MaxQty = 9000m,
    bool MinNotionalAppliesToMarket = true,
    bool LegacyMinNotionalFilter = false)
{
    public string Id => BaseAsset + QuoteAsset;
}

/// <summary>An asset's balance: free to trade, and locked in open orders.</summary>
internal readonly record struct SpotBalance(decimal Free, decimal Locked);

/// <summary>One of the account's fills, as GET /api/v3/myTrades reports it.</summary>
internal sealed record SpotTrade(
    long Id,
    long OrderId,
    string Symbol,
    bool IsBuyer,
    bool IsMaker,
    decimal Price,
    decimal Qty,
    decimal QuoteQty,
    decimal Commission,
    string CommissionAsset,
    DateTimeOffset Time);

/// <summary>An order as the account keeps it (a copy; the account's own state does not change through it).</summary>
internal sealed record SpotOrderView(
    long OrderId,
    string ClientOrderId,
    string Symbol,
    string Side,
    string Type,
    string Status,
    decimal OrigQty,
    decimal ExecutedQty,
    decimal CumulativeQuoteQty,
    decimal? Price,
    string? TimeInForce);

/// <summary>
/// A stateful Binance SPOT account behind the loopback server, written from Binance's API documentation and not from
/// our adapter or product: balances (free and locked), a settable order book per market, exchangeInfo with
/// PRICE_FILTER, LOT_SIZE and NOTIONAL (or the older MIN_NOTIONAL), and the signed order, account and trade endpoints.
/// Commission is charged on what the order receives (the base asset for a BUY, the quote asset for a SELL), or in BNB
/// at <see cref="BnbPrice"/> less <see cref="BnbDiscount"/> when <see cref="BnbPaysFees"/> is on and the free BNB covers
/// the fill. Commissions are rounded to 8 decimals, half away from zero.
/// <para>
/// Simplifications, on purpose: the book is standing liquidity an order takes from without depleting it (each test's
/// prices stay where it set them); a market order's NOTIONAL check uses the touch, not Binance's 5-minute average; a
/// resting limit order fills, as maker at its own price, when <see cref="SetBook"/> moves the book through it.
/// </para>
/// </summary>
internal sealed partial class BinanceSpotAccount : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SpotMarketRules> _markets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Wallet> _wallets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (List<(decimal Price, decimal Qty)> Bids, List<(decimal Price, decimal Qty)> Asks)> _books = new(StringComparer.Ordinal);
    private readonly List<OrderState> _orders = [];
    private readonly List<SpotTrade> _trades = [];
    private long _nextOrderId = 1000;
    private long _nextTradeId = 50_000;
    private long _nextGeneratedId;

    private BinanceSpotAccount(BinanceLoopbackServer server) => Server = server;

    /// <summary>The loopback server the account answers on; build the adapter with <c>TestBinance.Create(account.Server)</c>.</summary>
    public BinanceLoopbackServer Server { get; }

    /// <summary>Commission rate of a fill that takes liquidity (Binance's regular spot rate 0.1%).</summary>
    public decimal TakerRate { get; set; } = 0.001m;

    /// <summary>Commission rate of a resting order's fill.</summary>
    public decimal MakerRate { get; set; } = 0.001m;

    /// <summary>"Use BNB to pay for fees": a fill's commission is taken in BNB when the free BNB covers it.</summary>
    public bool BnbPaysFees { get; set; }

    /// <summary>BNB's price in the quote asset of the market traded, to convert a fill's commission into BNB.</summary>
    public decimal BnbPrice { get; set; } = 500m;

    /// <summary>Discount on a commission paid in BNB (Binance's spot discount is 25%).</summary>
    public decimal BnbDiscount { get; set; } = 0.25m;

    /// <summary>Every order ever placed, oldest first.</summary>
    public IReadOnlyList<SpotOrderView> Orders
    {
        get
        {
            lock (_gate)
            {
                return _orders.Select(o => o.View()).ToList();
            }
        }
    }

    /// <summary>Every fill of the account, oldest first.</summary>
    public IReadOnlyList<SpotTrade> Trades
    {
        get
        {
            lock (_gate)
            {
                return [.. _trades];
            }
        }
    }

    /// <summary>
    /// Starts a loopback server with the account's routes and three markets with Binance's real rules: BTC/USDT
    /// (step and min 0.00001, tick 0.01, notional 5), ETH/USDT (step and min 0.0001, tick 0.01, notional 5) and
    /// BNB/USDT (step and min 0.001, tick 0.01, notional 5). Balances start empty; books start empty.
    /// </summary>
    public static async Task<BinanceSpotAccount> StartAsync()
    {
        var account = new BinanceSpotAccount(await BinanceLoopbackServer.StartAsync());
        account.AddMarket(new SpotMarketRules("BTC", "USDT", 0.00001m, 0.00001m, 0.01m, 5m));
        account.AddMarket(new SpotMarketRules("ETH", "USDT", 0.0001m, 0.0001m, 0.01m, 5m));
        account.AddMarket(new SpotMarketRules("BNB", "USDT", 0.001m, 0.001m, 0.01m, 5m));
        account.MapRoutes();
        return account;
    }

    /// <summary>Adds or replaces a market (the adapter reads exchangeInfo once an hour: add markets before the first call).</summary>
    public void AddMarket(SpotMarketRules rules)
    {
        lock (_gate)
        {
            _markets[rules.Id] = rules;
            _books.TryAdd(rules.Id, ([], []));
        }
    }

    /// <summary>Sets an asset's balance.</summary>
    public void SetBalance(string asset, decimal free, decimal locked = 0m)
    {
        lock (_gate)
        {
            var w = WalletOf(asset);
            (w.Free, w.Locked) = (free, locked);
        }
    }

    /// <summary>An asset's balance (zero for an asset never held).</summary>
    public SpotBalance BalanceOf(string asset)
    {
        lock (_gate)
        {
            return _wallets.TryGetValue(asset, out var w) ? new SpotBalance(w.Free, w.Locked) : default;
        }
    }

    /// <summary>
    /// Sets a market's book (symbol as "BTC/USDT" or "BTCUSDT"; levels as price and quantity, best first or in any
    /// order), then fills the resting limit orders the new book crosses.
    /// </summary>
    public void SetBook(string symbol, IEnumerable<(decimal Price, decimal Qty)> bids, IEnumerable<(decimal Price, decimal Qty)> asks)
    {
        lock (_gate)
        {
            var market = MarketOf(symbol) ?? throw new ArgumentException($"no market {symbol}", nameof(symbol));
            _books[market.Id] = (bids.OrderByDescending(l => l.Price).ToList(), asks.OrderBy(l => l.Price).ToList());
            foreach (var resting in _orders.Where(o => o.Symbol == market.Id && o.IsOpen).ToList())
            {
                foreach (var (_, qty) in Plan(resting, market, resting.Remaining, null))
                {
                    Fill(resting, market, resting.Price!.Value, qty, maker: true);
                }

                resting.Status = resting.Remaining == 0m ? "FILLED" : resting.ExecutedQty > 0m ? "PARTIALLY_FILLED" : "NEW";
                resting.UpdateTime = Server.ServerTime();
            }
        }
    }

    /// <summary>One bid and one ask of <paramref name="qty"/> each.</summary>
    public void SetTouch(string symbol, decimal bid, decimal ask, decimal qty = 10m) => SetBook(symbol, [(bid, qty)], [(ask, qty)]);

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();

    private static bool Crosses(OrderState o, decimal levelPrice) =>
        o.Price is not { } limit || (o.IsBuy ? levelPrice <= limit : levelPrice >= limit);

    private static decimal FloorTo(decimal value, decimal step) => step > 0m ? Math.Floor(value / step) * step : value;

    private static decimal Round8(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);

    private SpotMarketRules? MarketOf(string symbol) => _markets.GetValueOrDefault(symbol.Replace("/", string.Empty, StringComparison.Ordinal));

    private Wallet WalletOf(string asset)
    {
        if (!_wallets.TryGetValue(asset, out var w))
        {
            _wallets[asset] = w = new Wallet();
        }

        return w;
    }

    /// <summary>
    /// The fills an order would get from the book now: level by level while the level crosses its limit, up to
    /// <paramref name="qty"/> of base or, for a market buy by quote, <paramref name="quoteBudget"/> of quote (each
    /// level's quantity floored to the step).
    /// </summary>
    private List<(decimal Price, decimal Qty)> Plan(OrderState o, SpotMarketRules market, decimal qty, decimal? quoteBudget)
    {
        var book = _books[market.Id];
        var plan = new List<(decimal Price, decimal Qty)>();
        var left = qty;
        var budget = quoteBudget;
        foreach (var (price, available) in o.IsBuy ? book.Asks : book.Bids)
        {
            if (!Crosses(o, price) || (budget is null && left <= 0m))
            {
                break;
            }

            var take = budget is { } b ? FloorTo(Math.Min(available, b / price), market.StepSize) : Math.Min(available, left);
            if (take <= 0m)
            {
                break;
            }

            plan.Add((price, take));
            left -= take;
            if (budget is not null)
            {
                budget -= take * price;
            }
        }

        return plan;
    }

    /// <summary>Books one fill: pays from free (market) or locked (limit) funds, receives, charges the commission.</summary>
    private void Fill(OrderState o, SpotMarketRules market, decimal price, decimal qty, bool maker)
    {
        var quote = price * qty;
        var baseWallet = WalletOf(market.BaseAsset);
        var quoteWallet = WalletOf(market.QuoteAsset);
        if (o.IsBuy)
        {
            if (o.LocksFunds)
            {
                // Locked at the limit price; a better fill price gives the difference back.
                quoteWallet.Locked -= o.Price!.Value * qty;
                quoteWallet.Free += (o.Price.Value - price) * qty;
            }
            else
            {
                quoteWallet.Free -= quote;
            }
        }
        else if (o.LocksFunds)
        {
            baseWallet.Locked -= qty;
        }
        else
        {
            baseWallet.Free -= qty;
        }

        var (received, receivedWallet, receivedAsset) = o.IsBuy ? (qty, baseWallet, market.BaseAsset) : (quote, quoteWallet, market.QuoteAsset);
        var rate = maker ? MakerRate : TakerRate;
        var (commission, commissionAsset) = (Round8(received * rate), receivedAsset);
        if (BnbPaysFees && BnbPrice > 0m)
        {
            var inBnb = Round8(quote * rate * (1m - BnbDiscount) / BnbPrice);
            if (inBnb > 0m && WalletOf("BNB").Free >= inBnb)
            {
                (commission, commissionAsset) = (inBnb, "BNB");
            }
        }

        receivedWallet.Free += received;
        WalletOf(commissionAsset).Free -= commission;
        o.ExecutedQty += qty;
        o.CumulativeQuoteQty += quote;
        var trade = new SpotTrade(_nextTradeId++, o.OrderId, market.Id, o.IsBuy, maker, price, qty, quote, commission, commissionAsset, Server.ServerTime());
        o.Fills.Add(trade);
        _trades.Add(trade);
    }

    /// <summary>Gives back what an order still locks (cancelled, expired).</summary>
    private void Unlock(OrderState o, SpotMarketRules market)
    {
        if (!o.LocksFunds || o.Remaining <= 0m)
        {
            return;
        }

        var (wallet, amount) = o.IsBuy ? (WalletOf(market.QuoteAsset), o.Price!.Value * o.Remaining) : (WalletOf(market.BaseAsset), o.Remaining);
        wallet.Locked -= amount;
        wallet.Free += amount;
    }

    private sealed class Wallet
    {
        public decimal Free { get; set; }

        public decimal Locked { get; set; }
    }

    private sealed class OrderState
    {
        public required long OrderId { get; init; }

        public required string ClientOrderId { get; init; }

        public required string Symbol { get; init; }

        public required string Side { get; init; }

        public required string Type { get; init; }

        public required DateTimeOffset Time { get; init; }

        /// <summary>The quantity asked; for a market buy by quote amount, what it bought (Binance reports it so).</summary>
        public decimal OrigQty { get; set; }

        public decimal OrigQuoteOrderQty { get; init; }

        public decimal? Price { get; init; }

        public string? TimeInForce { get; init; }

        public string Status { get; set; } = "NEW";

        public decimal ExecutedQty { get; set; }

        public decimal CumulativeQuoteQty { get; set; }

        public DateTimeOffset UpdateTime { get; set; }

        public List<SpotTrade> Fills { get; } = [];

        public bool IsBuy => Side == "BUY";

        public bool LocksFunds => Type != "MARKET";

        public bool IsOpen => Status is "NEW" or "PARTIALLY_FILLED";

        public decimal Remaining => OrigQty - ExecutedQty;

        public SpotOrderView View() => new(OrderId, ClientOrderId, Symbol, Side, Type, Status, OrigQty, ExecutedQty, CumulativeQuoteQty, Price, TimeInForce);
    }
}
