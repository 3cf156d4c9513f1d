using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Core.Brain;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>The decision journal over HTTP: pages of decisions newest first, and one decision by id.</summary>
public sealed class DecisionFunctions(IDecisionStore journal)
{
    [OpenApiOperation("A page of journaled decisions, newest first.", Response = typeof(DecisionListResponse), Query = ["symbol", "strategy", "from", "to", "limit", "cursor"], Problems = [400])]
    [Function("AiDecisions")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/decisions")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, problem) = DecisionQueries.Read(request.Query);
        if (problem is not null)
        {
            return problem;
        }

        return ApiResults.Ok(DecisionListResponse.From(await journal.QueryAsync(query!, cancellationToken)));
    }

    [OpenApiOperation("One journaled decision.", Response = typeof(DecisionResponse), Problems = [400, 404])]
    [Function("AiDecisionById")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/decisions/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!DecisionQueries.IsDecisionId(id))
        {
            return ApiResults.BadRequest("id", $"'{id}' is not a decision id");
        }

        return await journal.GetByIdAsync(id, cancellationToken) is { } decision
            ? ApiResults.Ok(DecisionResponse.From(decision))
            : ApiResults.Problem(StatusCodes.Status404NotFound, "No such decision.", $"No decision has id '{id}'.");
    }
}
