using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>
/// The closed trades over HTTP, for audit and tax: <c>GET /api/v1/ai/trades?from=&amp;to=&amp;symbol=&amp;limit=&amp;cursor=&amp;format=json|csv</c>,
/// oldest close first, in pages (the CSV's next page is named by the <c>X-Next-Cursor</c> header). Behind the function key.
/// </summary>
public sealed class TradeFunctions(TradeHistory history, TimeProvider time)
{
    public const string NextCursorHeader = "X-Next-Cursor";

    [OpenApiOperation("Closed trades for audit and tax, oldest close first (CSV with format=csv; its next page in X-Next-Cursor).", Response = typeof(TradeListResponse), Csv = true, Query = ["from", "to", "symbol", "limit", "cursor", "format"], Problems = [400])]
    [Function("AiTrades")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/trades")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (query, csv, problem) = TradeQueries.Read(request.Query, time.GetUtcNow());
        if (problem is not null)
        {
            return problem;
        }

        var page = TradeListResponse.From(await history.QueryAsync(query!, cancellationToken));
        if (!csv)
        {
            return ApiResults.Ok(page);
        }

        if (page.NextCursor is { } next)
        {
            request.HttpContext.Response.Headers[NextCursorHeader] = next;
        }

        return new ContentResult { StatusCode = StatusCodes.Status200OK, ContentType = "text/csv; charset=utf-8", Content = page.ToCsv() };
    }
}
