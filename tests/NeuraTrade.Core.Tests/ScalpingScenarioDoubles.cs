using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

/// <summary>Open positions and closed trades in memory; copies in and out like a durable store; can fail the next write (a crash).</summary>
internal sealed class InMemoryPositionStore : IPositionStore
{
    private readonly Dictionary<string, Position> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Position> _closed = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool FailNextSave { get; set; }

    public bool FailNextClose { get; set; }

    public IReadOnlyList<Position> AllClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed.Values.ToList();
            }
        }
    }

    public Task<IReadOnlyList<Position>> GetOpenAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Position>>(_open.Values.ToList());
        }
    }

    public Task SaveOpenAsync(Position position, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (FailNextSave)
            {
                FailNextSave = false;
                throw new IOException("storage unavailable (simulated crash)");
            }

            _open[position.Id] = position;
        }

        return Task.CompletedTask;
    }

    public Task CloseAsync(Position closed, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (FailNextClose)
            {
                FailNextClose = false;
                throw new IOException("storage unavailable (simulated crash)");
            }

            // Keyed like the table (close time + id): a repeated close of the same trade replaces its row.
            _closed[$"{closed.ClosedAt:O}-{closed.Id}"] = closed;
            _open.Remove(closed.Id);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<Position>>(_closed.Values
                .Where(p => DateOnly.FromDateTime(p.ClosedAt!.Value.UtcDateTime) == day)
                .OrderByDescending(p => p.ClosedAt)
                .ToList());
        }
    }
}

internal sealed class InMemoryStateStore(ScalpingState initial) : IScalpingStateStore
{
    private readonly Lock _lock = new();
    private ScalpingState _state = initial;

    public Task<ScalpingState> GetAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_state);
        }
    }

    public Task<ScalpingState> UpdateAsync(Func<ScalpingState, ScalpingState> change, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _state = change(_state);
            return Task.FromResult(_state);
        }
    }
}

internal sealed class InMemoryDecisionStore : IDecisionStore
{
    public Task SaveAsync(TradingDecision decision, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<TradingDecision>> GetLatestAsync(string symbol, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TradingDecision>>([]);

    public Task RecordOutcomeAsync(DecisionKey decision, DecisionOutcome outcome, decimal pnl, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<TradingDecision?> GetByIdAsync(string id, CancellationToken cancellationToken) => Task.FromResult<TradingDecision?>(null);

    public Task<DecisionPage> QueryAsync(DecisionQuery query, CancellationToken cancellationToken) => Task.FromResult(new DecisionPage([], null));
}

/// <summary>A market the test sets by hand: mid price and spread per symbol, a book of a few thin levels (so big orders fill in part).</summary>
internal sealed class ScenarioMarket(TimeProvider time) : IMarketDataFeed
{
    public static readonly string[] All = ["BTC/USDT", "ETH/USDT"];

    private readonly Dictionary<string, (decimal Mid, decimal SpreadPercent)> _quotes = new(StringComparer.Ordinal)
    {
        ["BTC/USDT"] = (60_000m, 0.02m),
        ["ETH/USDT"] = (3_000m, 0.02m),
    };

    /// <summary>Base amount on each book level; small values make market orders fill only in part.</summary>
    public decimal LevelAmountQuote { get; set; } = 1_000m;

    public string Name => "scenario";

    public IReadOnlyCollection<string> Symbols => All;

    public decimal Mid(string symbol) => _quotes[symbol].Mid;

    public void Set(string symbol, decimal mid, decimal spreadPercent) => _quotes[symbol] = (mid, spreadPercent);

    public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, MarketInfo>>(All.ToDictionary(
            s => s,
            s => new MarketInfo(s, s.Replace("/", string.Empty, StringComparison.Ordinal), MarketSymbol.Base(s), MarketSymbol.Quote(s), true, 0.00000001m, 0.01m, null, null, 5m)));

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken)
    {
        var (bid, ask) = Quote(symbol);
        return Task.FromResult(new Ticker(symbol, time.GetUtcNow(), bid, ask, (bid + ask) / 2m, ask, bid, 1_000m));
    }

    public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken)
    {
        var (bid, ask) = Quote(symbol);
        var amount = Math.Round(LevelAmountQuote / ask, 8);
        var bids = Enumerable.Range(0, 5).Select(i => new OrderBookLevel(Math.Round(bid * (1m - (0.0001m * i)), 2), amount)).ToList();
        var asks = Enumerable.Range(0, 5).Select(i => new OrderBookLevel(Math.Round(ask * (1m + (0.0001m * i)), 2), amount)).ToList();
        return Task.FromResult(new OrderBook(symbol, bids, asks, time.GetUtcNow(), null));
    }

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candle>>([]);

    public Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var (bid, ask) = Quote(symbol);
        return Task.FromResult((bid, ask));
    }

    private (decimal Bid, decimal Ask) Quote(string symbol)
    {
        var (mid, spread) = _quotes[symbol];
        var half = Math.Round(mid * spread / 200m, 2);
        return (mid - half, mid + half);
    }
}

/// <summary>A brain that must not be asked (the scenario drives the trade desk with its own decisions).</summary>
internal sealed class NeverAskedBrain : ITradingBrain
{
    public string Model => "never-asked";

    public Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken) => throw new InvalidOperationException("the brain was asked");

    public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => throw new InvalidOperationException("the brain was asked");
}
