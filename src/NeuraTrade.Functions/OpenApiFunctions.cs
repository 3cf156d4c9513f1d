using System.Net.Mime;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary><c>GET /api/openapi.json</c>: the OpenAPI 3.1 document of every HTTP function (<see cref="OpenApiDocument"/>).</summary>
public sealed class OpenApiFunctions
{
    /// <summary>Built once per process, from the same declarations the hosts route by.</summary>
    private readonly string _document = OpenApiDocument.Json;

    [Function("OpenApi")]
    [OpenApiOperation("This document: every HTTP function, its bodies and its problems.", Response = typeof(JsonObject))]
    public IActionResult Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "openapi.json")] HttpRequest request) =>
        new ContentResult { StatusCode = StatusCodes.Status200OK, ContentType = MediaTypeNames.Application.Json, Content = _document };
}
