using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>
/// <c>GET /api/health</c> for probes and monitors: storage, exchange, LLM breakers, last scan, trading mode; 200 healthy,
/// 503 with the failing parts. Anonymous on purpose (listed in <see cref="AnonymousFunctions"/>): it reveals no position,
/// PnL, decision, limit or secret.
/// </summary>
public sealed class HealthFunctions(HealthProbe probe)
{
    [OpenApiOperation("Storage, exchange, LLM breakers, last scan and trading mode; 503 names the failing parts.", Response = typeof(HealthResponse), SameBody = [503])]
    [Function("Health")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var report = await probe.CheckAsync(cancellationToken);
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return ApiResults.WithStatus(report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, report);
    }
}
