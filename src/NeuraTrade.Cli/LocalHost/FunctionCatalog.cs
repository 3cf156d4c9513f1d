using System.Reflection;
using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>An HTTP-triggered function as the Functions app declares it.</summary>
internal sealed record HttpFunction(string Name, Type Class, MethodInfo Method, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel);

/// <summary>A timer-triggered function; <see cref="Schedule"/> may hold <c>%setting%</c> references.</summary>
internal sealed record TimerFunction(string Name, Type Class, MethodInfo Method, string Schedule);

/// <summary>A queue-triggered function; <see cref="QueueName"/> may hold <c>%setting%</c> references.</summary>
internal sealed record QueueFunction(string Name, Type Class, MethodInfo Method, string QueueName);

/// <summary>
/// Reads the Functions app's own declarations (<c>[Function]</c>, <c>[HttpTrigger]</c>, <c>[TimerTrigger]</c>,
/// <c>[QueueTrigger]</c>) so the local host serves exactly the routes, schedules and queues the Functions app has:
/// written once.
/// </summary>
internal sealed record FunctionCatalog(IReadOnlyList<HttpFunction> Http, IReadOnlyList<TimerFunction> Timers, IReadOnlyList<QueueFunction> Queues, string RoutePrefix)
{
    private static readonly Type[] BindableTypes = [typeof(HttpRequest), typeof(CancellationToken), typeof(TimerInfo), typeof(QueueMessage), typeof(string)];

    public static FunctionCatalog Discover(Assembly assembly, string? hostJsonPath)
    {
        var http = new List<HttpFunction>();
        var timers = new List<TimerFunction>();
        var queues = new List<QueueFunction>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                {
                    continue;
                }

                foreach (var parameter in method.GetParameters().Where(p => !BindableTypes.Contains(p.ParameterType)))
                {
                    throw new InvalidOperationException($"The local host cannot bind parameter '{parameter.Name}' ({parameter.ParameterType.Name}) of function {function.Name}.");
                }

                foreach (var parameter in method.GetParameters())
                {
                    if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is { } trigger)
                    {
                        var methods = (trigger.Methods ?? ["get", "post"]).Select(m => m.ToUpperInvariant()).ToArray();
                        http.Add(new HttpFunction(function.Name, type, method, trigger.Route ?? function.Name, methods, trigger.AuthLevel));
                    }
                    else if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is { } timer)
                    {
                        timers.Add(new TimerFunction(function.Name, type, method, timer.Schedule));
                    }
                    else if (parameter.GetCustomAttribute<QueueTriggerAttribute>() is { } queue)
                    {
                        queues.Add(new QueueFunction(function.Name, type, method, queue.QueueName));
                    }
                }
            }
        }

        return new FunctionCatalog(http, timers, queues, ReadRoutePrefix(hostJsonPath));
    }

    /// <summary>host.json's <c>extensions.http.routePrefix</c>; the Functions default is <c>api</c>.</summary>
    private static string ReadRoutePrefix(string? hostJsonPath)
    {
        if (hostJsonPath is null || !File.Exists(hostJsonPath))
        {
            return "api";
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return doc.RootElement.TryGetProperty("extensions", out var ext)
            && ext.TryGetProperty("http", out var httpSection)
            && httpSection.TryGetProperty("routePrefix", out var prefix)
            && prefix.ValueKind == JsonValueKind.String
                ? prefix.GetString()!.Trim('/')
                : "api";
    }
}
