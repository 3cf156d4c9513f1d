using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting;

/// <summary>
/// Hides what a model could remember of real history (on by default in backtests): the brain sees the symbol as
/// <see cref="Symbol"/>, times moved so the oldest candle it is shown opens at <see cref="Anchor"/>, prices rebased so
/// that candle closes at 100, and volumes scaled to a mean of 1000. Indicators are computed afresh on the rebased
/// candles (EMA and ATR scale with price; RSI, momentum, volatility and spread percent do not change). The proposal's
/// prices are scaled back before the engine validates them against the real market.
/// </summary>
public sealed class AnonymizingBrain(ITradingBrain inner) : ITradingBrain
{
    public const string Symbol = "ASSET/CASH";
    public static readonly DateTimeOffset Anchor = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Model => inner.Model;

    public async Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
    {
        var (market, scale) = Anonymize(request.Market);
        var portfolio = request.Portfolio with { QuoteCurrency = MarketSymbol.Quote(Symbol) };
        var proposal = await inner.ProposeAsync(request with { Market = market, Portfolio = portfolio }, cancellationToken);
        return proposal with
        {
            EntryPrice = Back(proposal.EntryPrice, scale),
            StopLoss = Back(proposal.StopLoss, scale),
            TakeProfit = Back(proposal.TakeProfit, scale),
        };
    }

    public async Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken)
    {
        var analysis = await inner.AnalyzeAsync(Anonymize(market).Market, cancellationToken);
        return analysis with { Symbol = market.Symbol, Indicators = market.Indicators, Price = market.Ticker.Last, CreatedAt = market.Ticker.Timestamp };
    }

    /// <summary>The market as the brain sees it, and the factor real prices were multiplied by.</summary>
    public static (MarketSnapshot Market, decimal Scale) Anonymize(MarketSnapshot market)
    {
        var candles = market.Candles;
        var reference = candles.Count > 0 ? candles[0].Close : market.Ticker.Last;
        var scale = reference > 0m ? 100m / reference : 1m;
        var origin = candles.Count > 0 ? candles[0].OpenTime : market.Ticker.Timestamp;
        var meanVolume = candles.Count > 0 ? candles.Average(c => c.Volume) : 0m;
        var volumeScale = meanVolume > 0m ? 1000m / meanVolume : 1m;
        var rebased = candles
            .Select(c => new Candle(Anchor + (c.OpenTime - origin), P(c.Open * scale), P(c.High * scale), P(c.Low * scale), P(c.Close * scale), P(c.Volume * volumeScale)))
            .ToArray();
        var t = market.Ticker;
        var ticker = new Ticker(Symbol, Anchor + (t.Timestamp - origin), P(t.Bid * scale), P(t.Ask * scale), P(t.Last * scale), P(t.High * scale), P(t.Low * scale), P(t.BaseVolume * volumeScale));
        return (MarketSnapshot.Create(ticker, rebased), scale);
    }

    private static decimal? Back(decimal? price, decimal scale) => price is { } p ? P(p / scale) : null;

    private static decimal P(decimal value) => Math.Round(value, 8, MidpointRounding.AwayFromZero);
}
