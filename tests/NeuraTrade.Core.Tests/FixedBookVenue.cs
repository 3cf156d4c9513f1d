using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Core.Tests;

/// <summary>An arbitrage venue for hand-computed tests: a paper exchange over one market at a fixed bid and ask.</summary>
internal static class FixedBookVenue
{
    /// <summary>A paper venue quoting <paramref name="symbol"/> at a fixed bid and ask, 10 BTC deep, holding 0.01 BTC and 1,000 quote; fees 0.1% in quote, no extra slippage.</summary>
    public static ArbitrageVenue Create(string name, string symbol, decimal bid, decimal ask, DateTimeOffset at)
    {
        var options = new PaperExchangeOptions { QuoteCurrency = MarketSymbol.Quote(symbol), StartingBalance = 1_000m, FeeAsset = FeeAssets.Quote, TakerFeePercent = 0.1m, SlippagePercent = 0m };
        options.StartingBalances["BTC"] = 0.01m;
        var time = new FakeTimeProvider(at);
        var exchange = new PaperExchange(new FixedBook(symbol, bid, ask, time), new InMemoryPaperAccountStore(), Options.Create(options), time, NullLogger<PaperExchange>.Instance);
        return new ArbitrageVenue(name, exchange, symbol, 0.1m, 0m, 1m);
    }

    /// <summary>One market at a fixed bid and ask, one level of 10 BTC a side.</summary>
    private sealed class FixedBook(string symbol, decimal bid, decimal ask, TimeProvider time) : IMarketDataFeed
    {
        public string Name => "fixed";

        public IReadOnlyCollection<string> Symbols => [symbol];

        public Task<IReadOnlyDictionary<string, MarketInfo>> LoadMarketsAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, MarketInfo>>(new Dictionary<string, MarketInfo>
            {
                [symbol] = new(symbol, symbol.Replace("/", string.Empty, StringComparison.Ordinal), MarketSymbol.Base(symbol), MarketSymbol.Quote(symbol), true, 0.00000001m, 0.01m, null, null, 5m),
            });

        public Task<Ticker> FetchTickerAsync(string s, CancellationToken cancellationToken) =>
            Task.FromResult(new Ticker(symbol, time.GetUtcNow(), bid, ask, (bid + ask) / 2m, ask, bid, 1_000m));

        public Task<OrderBook> FetchOrderBookAsync(string s, int? limit, CancellationToken cancellationToken) =>
            Task.FromResult(new OrderBook(symbol, [new OrderBookLevel(bid, 10m)], [new OrderBookLevel(ask, 10m)], time.GetUtcNow(), null));

        public Task<IReadOnlyList<Candle>> FetchOhlcvAsync(string s, string timeframe, DateTimeOffset? since, int? limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Candle>>([]);

        public Task<(decimal Low, decimal High)> PriceRangeSinceAsync(string s, DateTimeOffset since, CancellationToken cancellationToken) =>
            Task.FromResult((bid, ask));
    }
}
