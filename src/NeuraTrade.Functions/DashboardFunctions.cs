using System.Net.Mime;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Functions.Dashboard;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>
/// <c>GET /api/dashboard</c>: the live dashboard page (<see cref="DashboardPage"/>). Behind the function key like the data it
/// shows; opened as <c>/api/dashboard?code=KEY</c>, the page sends that key in <c>x-functions-key</c> on its own calls.
/// </summary>
public sealed class DashboardFunctions
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Both hosts call [Function] methods on an instance.")]
    [OpenApiOperation("The live dashboard: one self-contained HTML page over the status, decisions, trades, toggle and close endpoints.", Html = true)]
    [Function("Dashboard")]
    public IActionResult Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "dashboard")] HttpRequest request)
    {
        var nonce = DashboardPage.NewNonce();
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = DashboardPage.ContentSecurityPolicy(nonce);
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";

        // The page's URL holds the key: never send it on as a referrer.
        headers["Referrer-Policy"] = "no-referrer";
        return new ContentResult { StatusCode = StatusCodes.Status200OK, ContentType = $"{MediaTypeNames.Text.Html}; charset=utf-8", Content = DashboardPage.Render(nonce) };
    }
}
