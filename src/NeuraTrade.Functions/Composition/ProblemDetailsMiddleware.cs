using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Functions.Composition;

/// <summary>
/// An unexpected exception in an HTTP function becomes a 500 problem response that reveals nothing internal; its trace id
/// (the invocation id, which Application Insights indexes) is in the body and in the log line that holds the exception.
/// </summary>
public sealed class ProblemDetailsMiddleware(ILogger<ProblemDetailsMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { } http && !http.Response.HasStarted)
        {
            logger.LogFailure(LogLevel.Error, ex, "Function {Function} failed, trace id {TraceId}: {Reason}", context.FunctionDefinition.Name, context.InvocationId);
            var result = ApiResults.ServerError(context.InvocationId);
            http.Response.StatusCode = result.StatusCode ?? StatusCodes.Status500InternalServerError;
            http.Response.ContentType = result.ContentType;
            await http.Response.WriteAsync(result.Content ?? string.Empty);
        }
    }
}
