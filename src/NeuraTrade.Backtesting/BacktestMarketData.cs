using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The paper exchange's market data for a backtest: one unchanged <see cref="ReplayMarketData"/> per market (same
/// in-candle price path, spread and order book model as paper trading), all read at the backtest clock's time, like
/// paper trading reads them at the replay's market clock. Several markets with different spans run on one clock. Outside a
/// market's span (before its first candle, after its last) the market has no data, like a venue that does not list it.
/// The brain's candles (<c>AI:Timeframe</c>) are the data's, or made from them when they are a whole multiple of the
/// data's timeframe (<see cref="ResampledCandles"/>); <see cref="Unservable"/> says before a run when they cannot be.
/// </summary>
public sealed class BacktestMarketData : IMarketDataFeed
{
    private readonly Dictionary<string, Market> _markets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private IReadOnlyDictionary<string, MarketInfo>? _infos;

    public BacktestMarketData(IEnumerable<BacktestMarket> markets, IOptions<PaperExchangeOptions> options, TimeProvider time)
    {
        _time = time;
        foreach (var m in markets)
        {
            var series = new CandleSeries(m.Symbol, m.Timeframe, m.Candles, m.TickSize);
            _markets.Add(m.Symbol, new Market(series, new ReplayMarketData(new CandleReplay([series]), options, time)));
        }
    }

    /// <summary>
    /// Null when every market can serve candles of <paramref name="timeframe"/> (<c>AI:Timeframe</c>, what the brain reads),
    /// else a message that names the setting, the files that cannot and what to change. A run over such data would ask
    /// the brain nothing: every scan's read would fail.
    /// </summary>
    public static string? Unservable(IEnumerable<BacktestMarket> markets, string timeframe)
    {
        var problems = new List<string>();
        foreach (var group in markets.GroupBy(m => m.Timeframe, StringComparer.Ordinal))
        {
            string? why;
            try
            {
                why = ResampledCandles.Unservable(group.Key, timeframe);
            }
            catch (FormatException ex)
            {
                why = ex.Message;
            }

            if (why is not null)
            {
                var files = group.Select(m => m.Source ?? $"{m.Symbol} ({m.Timeframe})").ToList();
                problems.Add($"{string.Join(", ", files)} {(files.Count == 1 ? "holds" : "hold")} {group.Key} candles, but the brain reads AI__Timeframe={timeframe} candles: {why}. "
                    + $"Set AI__Timeframe={group.Key} (or a whole multiple of it) or give data in {timeframe} candles");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    public string Name => "backtest";

    public IReadOnlyCollection<string> Symbols => _markets.Keys;

    public async Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken)
    {
        if (_infos is null)
        {
            var infos = new Dictionary<string, MarketInfo>(StringComparer.Ordinal);
            foreach (var (symbol, market) in _markets)
            {
                infos[symbol] = (await market.Feed.LoadMarketsAsync(cancellationToken))[symbol];
            }

            _infos = infos;
        }

        return _infos;
    }

    public Task<Ticker> FetchTickerAsync(string symbol, CancellationToken cancellationToken) => InSpan(symbol).Feed.FetchTickerAsync(symbol, cancellationToken);

    public Task<OrderBook> FetchOrderBookAsync(string symbol, int? limit, CancellationToken cancellationToken) =>
        InSpan(symbol).Feed.FetchOrderBookAsync(symbol, limit, cancellationToken);

    public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string symbol, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
        InSpan(symbol).Feed.FetchOhlcvAsync(symbol, timeframe, since, limit, cancellationToken);

    public Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string symbol, DateTimeOffset since, CancellationToken cancellationToken)
    {
        return InSpan(symbol).Feed.PriceRangeSinceAsync(symbol, since, cancellationToken);
    }

    private Market InSpan(string symbol)
    {
        if (!_markets.TryGetValue(symbol, out var market))
        {
            throw new ExchangeException(ExchangeErrorType.BadSymbol, $"no backtest data for {symbol} (markets: {string.Join(", ", _markets.Keys)})");
        }

        var now = _time.GetUtcNow();
        if (now < market.Series.Start || now >= market.Series.End)
        {
            throw new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, $"{symbol} has no data at {now:O} (data {market.Series.Start:O} .. {market.Series.End:O})");
        }

        return market;
    }

    private sealed record Market(CandleSeries Series, ReplayMarketData Feed);
}
