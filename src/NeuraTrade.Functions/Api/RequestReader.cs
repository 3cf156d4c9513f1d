using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace NeuraTrade.Functions.Api;

/// <summary>Reads a JSON request body; any fault becomes a 400 that names the field.</summary>
public static class RequestReader
{
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>A toggle's body, <c>{"enabled":true|false}</c> (<see cref="ToggleRequest"/>): the value, or the 400 saying what is wrong.</summary>
    public static async Task<(bool Enabled, IActionResult? Problem)> ReadToggleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<ToggleRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return (false, problem);
        }

        return body!.Enabled is { } enabled
            ? (enabled, null)
            : (false, ApiResults.BadRequest("enabled", "'enabled' is required: true or false"));
    }

    public static async Task<(T? Body, IActionResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            return (null, ApiResults.BadRequest("body", $"the body is larger than {MaxBodyBytes} bytes"));
        }

        // The limit holds while reading: a chunked body (no Content-Length) stops being read past it.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, ApiResults.BadRequest("body", $"the body is larger than {MaxBodyBytes} bytes"));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, ApiResults.BadRequest("body", "a JSON body is required"));
        }

        try
        {
            var body = JsonSerializer.Deserialize<T>(buffer.ToArray(), ApiJson.Options);
            return body is null ? (null, ApiResults.BadRequest("body", "the body must be a JSON object")) : (body, null);
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            return (null, ApiResults.BadRequest(field, $"'{field}' is not valid JSON of the expected type"));
        }
    }
}
