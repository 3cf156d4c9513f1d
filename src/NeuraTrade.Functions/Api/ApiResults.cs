using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Functions.Api;

/// <summary>
/// Responses as both hosts send them: JSON bodies, and RFC 7807 problem details for every failure.
/// Written as plain content so the bytes do not depend on a host's MVC formatter setup.
/// </summary>
public static class ApiResults
{
    public const string ProblemContentType = "application/problem+json";

    public static ContentResult Ok<T>(T body) => Json(StatusCodes.Status200OK, body, MediaTypeNames.Application.Json);

    /// <summary>A JSON body with another status than 200 (the health report's 503).</summary>
    public static ContentResult WithStatus<T>(int status, T body) => Json(status, body, MediaTypeNames.Application.Json);

    /// <summary>400 naming the field at fault.</summary>
    public static ContentResult BadRequest(string field, string message) =>
        Problem(StatusCodes.Status400BadRequest, "The request is not valid.", message, new Dictionary<string, string[]> { [field] = [message] });

    public static ContentResult Problem(int status, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        Json(status, new ProblemBody($"https://httpstatuses.io/{status}", title, status, detail, errors), ProblemContentType);

    /// <summary>Maps a unified exchange error to a problem: no data 422, transient 503, anything else 502.</summary>
    public static ContentResult FromExchange(ExchangeException ex) => ex.ErrorType switch
    {
        ExchangeErrorType.BadSymbol => Problem(StatusCodes.Status422UnprocessableEntity, "No market data for this symbol.", ex.Message),
        _ when ex.IsTransient => Problem(StatusCodes.Status503ServiceUnavailable, "The exchange is not available; try again.", ex.Message),
        _ => Problem(StatusCodes.Status502BadGateway, "The exchange refused the request.", ex.Message),
    };

    /// <summary>
    /// An unexpected failure: says nothing of internals, only the trace id (also the <c>trace_id</c> member) under which the
    /// host logged the exception.
    /// </summary>
    public static ContentResult ServerError(string traceId) => Json(
        StatusCodes.Status500InternalServerError,
        new ProblemBody(
            "https://httpstatuses.io/500",
            "An unexpected error occurred.",
            StatusCodes.Status500InternalServerError,
            $"The failure was logged with trace id {traceId}.",
            null) { TraceId = traceId },
        ProblemContentType);

    private static ContentResult Json<T>(int status, T body, string contentType) => new()
    {
        StatusCode = status,
        ContentType = contentType,
        Content = JsonSerializer.Serialize(body, ApiJson.Options),
    };

    private sealed record ProblemBody(string Type, string Title, int Status, string Detail, IReadOnlyDictionary<string, string[]>? Errors)
    {
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? TraceId { get; init; }
    }
}
