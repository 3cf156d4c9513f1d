using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Core.Learning;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>
/// The learning system over HTTP: <c>GET /api/v1/ai/performance?symbol=&amp;strategy=&amp;model=&amp;from=&amp;to=</c>, the
/// statistics and calibration of the outcomes resolved in the span (market time; default the last 30 days). Behind the
/// function key.
/// </summary>
public sealed class PerformanceFunctions(IOutcomeStore outcomes, TimeProvider time)
{
    [OpenApiOperation("Statistics (per symbol, strategy, model, hour, side) and confidence calibration of resolved decisions.", Response = typeof(PerformanceResponse), Query = ["symbol", "strategy", "model", "from", "to"], Problems = [400])]
    [Function("AiPerformance")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/performance")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, problem) = PerformanceQueries.Read(request.Query, time.GetUtcNow());
        if (problem is not null)
        {
            return problem;
        }

        return ApiResults.Ok(PerformanceResponse.Of(query!, await outcomes.QueryAsync(query!, cancellationToken)));
    }
}
