using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Brain;

/// <summary>
/// Reads the market, asks the brain, validates the answer. A brain that fails yields a HOLD with the reason,
/// never an exception out of a scan or an HTTP call.
/// </summary>
public sealed class DecisionMaker(
    IExchange exchange,
    ITradingBrain brain,
    DecisionValidator validator,
    IOptions<BrainOptions> options,
    TimeProvider time,
    ILogger<DecisionMaker> logger)
{
    private readonly BrainOptions _options = options.Value;

    public string Model => brain.Model;

    public async Task<MarketSnapshot> ReadMarketAsync(string symbol, CancellationToken cancellationToken)
    {
        var ticker = await exchange.FetchTickerAsync(symbol, cancellationToken);
        var candles = await exchange.FetchOhlcvAsync(symbol, _options.Timeframe, _options.HistoryCandles, cancellationToken);
        return MarketSnapshot.Create(ticker, candles);
    }

    public async Task<TradingDecision> DecideAsync(
        MarketSnapshot market,
        PortfolioSnapshot portfolio,
        TradingStrategy strategy,
        DecisionSource source,
        CancellationToken cancellationToken)
    {
        var createdAt = time.GetUtcNow();
        var id = Guid.CreateVersion7(createdAt).ToString("N");
        TradeProposal proposal;
        try
        {
            proposal = await brain.ProposeAsync(new BrainRequest(market, portfolio, strategy), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Brain {Model} failed for {Symbol}; holding", brain.Model, market.Symbol);
            proposal = TradeProposal.Hold($"The brain failed: {ex.GetType().Name}.", string.Empty, brain.Model);
            return validator.Validate(proposal, market, strategy, source, id, createdAt).AsHold($"brain error: {ex.Message}");
        }

        var decision = validator.Validate(proposal, market, strategy, source, id, createdAt);
        logger.LogInformation(
            "AI decision {DecisionId} {Symbol} {Action} {Confidence} {HoldReason}",
            decision.Id,
            decision.Symbol,
            decision.Action,
            decision.Confidence,
            decision.HoldReason);
        return decision;
    }

    public async Task<MarketAnalysis> AnalyzeAsync(string symbol, CancellationToken cancellationToken)
    {
        var market = await ReadMarketAsync(symbol, cancellationToken);
        return await brain.AnalyzeAsync(market, cancellationToken);
    }
}
