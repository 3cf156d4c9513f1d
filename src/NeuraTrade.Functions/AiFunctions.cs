using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Functions;

/// <summary>The brain over HTTP: a market read, and a validated, journaled decision (no order is placed).</summary>
public sealed class AiFunctions(
    DecisionMaker decisions,
    PortfolioReader portfolio,
    IDecisionStore journal,
    TradeDesk desk,
    SymbolUniverse universe)
{
    [Function("AiAnalyze")]
    public async Task<IActionResult> Analyze(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/analyze")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadAsync<AnalyzeRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (symbol, badSymbol) = universe.Check(body!.Symbol);
        if (badSymbol is not null)
        {
            return badSymbol;
        }

        try
        {
            return ApiResults.Ok(AnalysisResponse.From(await decisions.AnalyzeAsync(symbol!, cancellationToken)));
        }
        catch (ExchangeException ex)
        {
            return ApiResults.FromExchange(ex);
        }
    }

    [Function("AiDecision")]
    public async Task<IActionResult> Decision(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/decision")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadAsync<DecisionRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (symbol, badSymbol) = universe.Check(body!.Symbol);
        if (badSymbol is not null)
        {
            return badSymbol;
        }

        var strategy = TradingStrategy.Scalping;
        if (body.Strategy is not null && !TradingStrategies.TryParse(body.Strategy, out strategy))
        {
            return ApiResults.BadRequest("strategy", $"'{body.Strategy}' is not a strategy ({string.Join(", ", TradingStrategies.Names)})");
        }

        try
        {
            var market = await decisions.ReadMarketAsync(symbol!, cancellationToken);
            var held = await portfolio.ReadAsync(symbol!, cancellationToken);
            var decision = await decisions.DecideAsync(market, held, strategy, DecisionSource.Api, cancellationToken);
            if (body.Execute == true)
            {
                decision = (await desk.EnterAsync(decision, market.Ticker, cancellationToken)).Decision;
            }

            await journal.SaveAsync(decision, cancellationToken);
            return ApiResults.Ok(DecisionResponse.From(decision));
        }
        catch (ExchangeException ex)
        {
            return ApiResults.FromExchange(ex);
        }
    }
}
