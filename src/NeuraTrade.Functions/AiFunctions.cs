using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.RateLimits;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>
/// The brain over HTTP: a market read, and a validated, reviewed, journaled decision, entered through the risk gate
/// when <c>execute</c> is true (Core's one entry use case, <see cref="DecisionMaker.DecideAndEnterAsync"/>); only then is it
/// a trading action. Both may cost LLM money: after the input is checked (bad input costs nothing), each call takes one from
/// the caller's rate-limit bucket (<see cref="ApiRateLimiter"/>; 429 with <c>Retry-After</c> when it is empty).
/// </summary>
public sealed class AiFunctions(
    DecisionMaker decisions,
    NeuraTrade.Core.Arbitrage.ArbitrageEngine arbitrage,
    SymbolUniverse universe,
    TradingAuthorization authorization,
    ApiRateLimiter rateLimiter)
{
    [OpenApiOperation("The brain's read of the market, no trade.", Request = typeof(AnalyzeRequest), RequestRequired = ["symbol"], RequestExample = """{"symbol":"BTC/USDT"}""", Response = typeof(AnalysisResponse), Problems = [400, 422, 429, 502, 503])]
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

        if (rateLimiter.Admit(request) is { } limited)
        {
            return limited;
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

    [OpenApiOperation("A validated, journaled decision; with execute an entry through the risk gate.", Request = typeof(DecisionRequest), RequestRequired = ["symbol"], RequestExample = """{"symbol":"BTC/USDT","strategy":"scalping"}""", Response = typeof(DecisionResponse), Problems = [400, 401, 403, 422, 429, 502, 503])]
    [Function("AiDecision")]
    [TradingAction(When = "execute is true")]
    public async Task<IActionResult> Decision(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/decision")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadAsync<DecisionRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Execute == true && await authorization.AuthorizeAsync(request, "AiDecision", cancellationToken) is { } denied)
        {
            return denied;
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

        if (strategy == TradingStrategy.Arbitrage && NeuraTrade.Core.Markets.MarketSymbol.Base(symbol!) != arbitrage.Asset)
        {
            return ApiResults.BadRequest("symbol", $"the arbitrage venues trade {arbitrage.Asset}: ask about a {arbitrage.Asset} market, not {symbol}");
        }

        if (rateLimiter.Admit(request) is { } limited)
        {
            return limited;
        }

        try
        {
            // Arbitrage reads the venues' books (the request's symbol names the asset): its own engine decides and executes.
            var decision = strategy == TradingStrategy.Arbitrage
                ? (await arbitrage.RunAsync(DecisionSource.Api, body.Execute == true, cancellationToken)).Decision
                : await decisions.DecideAndEnterAsync(symbol!, strategy, DecisionSource.Api, body.Execute == true, cancellationToken);
            return ApiResults.Ok(DecisionResponse.From(decision));
        }
        catch (ExchangeException ex)
        {
            return ApiResults.FromExchange(ex);
        }
    }
}
