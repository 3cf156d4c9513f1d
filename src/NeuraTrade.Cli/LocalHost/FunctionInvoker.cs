using System.Reflection;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>Calls a function method the way the Functions worker does: a fresh instance per invocation, triggers bound by type.</summary>
internal static class FunctionInvoker
{
    public static async Task InvokeHttpAsync(HttpFunction function, HttpContext context)
    {
        var instance = ActivatorUtilities.CreateInstance(context.RequestServices, function.Class);
        var args = function.Method.GetParameters().Select(p => Bind(p, context.Request, null, null, context.RequestAborted)).ToArray();
        var result = await CallAsync(function.Method, instance, args);
        if (result is IActionResult action)
        {
            await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
        }
    }

    public static async Task InvokeTimerAsync(TimerFunction function, IServiceProvider services, TimerInfo timer, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Class);
        var args = function.Method.GetParameters().Select(p => Bind(p, null, timer, null, cancellationToken)).ToArray();
        await CallAsync(function.Method, instance, args);
    }

    public static async Task InvokeQueueAsync(QueueFunction function, IServiceProvider services, QueueMessage message, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, function.Class);
        var args = function.Method.GetParameters().Select(p => Bind(p, null, null, message, cancellationToken)).ToArray();
        await CallAsync(function.Method, instance, args);
    }

    private static object? Bind(ParameterInfo parameter, HttpRequest? request, TimerInfo? timer, QueueMessage? message, CancellationToken cancellationToken)
    {
        if (parameter.ParameterType == typeof(QueueMessage))
        {
            return message;
        }

        if (parameter.ParameterType == typeof(HttpRequest))
        {
            return request;
        }

        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return cancellationToken;
        }

        if (parameter.ParameterType == typeof(TimerInfo))
        {
            return timer;
        }

        return request?.RouteValues.TryGetValue(parameter.Name!, out var value) == true ? value?.ToString() : null;
    }

    private static async Task<object?> CallAsync(MethodInfo method, object instance, object?[] args)
    {
        try
        {
            var returned = method.Invoke(instance, args);
            if (returned is not Task task)
            {
                return returned;
            }

            await task;
            return task.GetType().IsGenericType ? task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
