using Cronos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Composition;
using NeuraTrade.Functions.Settings;
using NeuraTrade.Storage;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// Serves the Functions app's own HTTP functions and timers on Kestrel, for machines without Azure Functions
/// Core Tools. Same composition, same routes (under host.json's route prefix), same schedules, same settings.
/// Function keys are not checked, as under Core Tools locally, unless <c>LocalHost:ApiKey</c> is set; listening beyond
/// loopback requires it.
/// </summary>
internal static class LocalFunctionHost
{
    /// <summary>The log file's name without extension: <c>logs/ai_trading.log</c>.</summary>
    public const string LogFileName = "ai_trading";

    /// <param name="services">Last changes to the services (tests replace a port with one that fails in a precise way).</param>
    public static WebApplication Build(string urls, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

        // Lowest priority: what the Functions app gets from local.settings.json / app settings.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [ScalpingFunctions.ScheduleSetting] = ScalpingOptions.DefaultScanSchedule,
                [ScalpingFunctions.ScanQueueSetting] = ScalpingOptions.DefaultScanQueue,
                [ArbitrageFunctions.ScheduleSetting] = NeuraTrade.Core.Arbitrage.ArbitrageOptions.DefaultScanSchedule,
            },
        });
        builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.Local.json"), optional: true);
        configure?.Invoke(builder.Configuration);
        builder.WebHost.UseUrls(urls);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var local = builder.Configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>() ?? new LocalHostOptions();
        if (!string.IsNullOrWhiteSpace(local.LogDirectory))
        {
            // Wall time: a log line says when it was written, whatever market time a replay shows.
            builder.Logging.AddProvider(new RollingFileLoggerProvider(Path.GetFullPath(local.LogDirectory), LogFileName, TimeProvider.System, local.LogFileMaxBytes));
        }
        builder.AddNeuraTrade();

        // The seed's scan_interval runs the local timer (the Functions app's trigger can only read ScalpingScanSchedule).
        if (Durations.TryParse(builder.Configuration[ScanIntervalSchedule.Setting], out var interval) && ScanIntervalSchedule.TryCron(interval, out var cron))
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [ScalpingOptions.ScheduleSetting] = cron });
        }

        builder.Services.AddMvcCore();
        services?.Invoke(builder.Services);

        var catalog = FunctionCatalog.Discover(typeof(ScalpingFunctions).Assembly, Path.Combine(AppContext.BaseDirectory, "host.json"));
        builder.Services.AddSingleton(catalog);
        foreach (var timer in catalog.Timers)
        {
            var schedule = CronExpression.Parse(ResolveSettings(timer.Schedule, builder.Configuration), CronFormat.IncludeSeconds);
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp =>
                ActivatorUtilities.CreateInstance<TimerFunctionService>(sp, timer, schedule, sp.GetRequiredService<NeuraTrade.Core.Markets.WallClock>().Time));
        }

        // Queue triggers: the same account the app enqueues to (AzureWebJobsStorage, else Storage:ConnectionString, else Azurite).
        foreach (var queue in catalog.Queues)
        {
            var name = ResolveSettings(queue.QueueName, builder.Configuration);
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(sp =>
            {
                var target = sp.GetRequiredService<QueueServiceTarget>();
                return ActivatorUtilities.CreateInstance<QueueFunctionService>(
                    sp, queue, target.CreateClient(name), target.CreateClient(QueueSymbolScanQueue.PoisonName(name)), sp.GetRequiredService<QueueHostSettings>(), sp.GetRequiredService<NeuraTrade.Core.Markets.WallClock>().Time);
            });
        }

        var apiKey = local.ApiKey;
        if (string.IsNullOrWhiteSpace(apiKey) && BeyondLoopback(urls) is { } exposed)
        {
            throw new InvalidOperationException(
                $"LocalHost:ApiKey is required: serve listens on {exposed}, beyond loopback, where anyone who reaches it could trade. "
                + "Set LocalHost__ApiKey to a long random secret (clients send it in the x-functions-key header), or listen on 127.0.0.1.");
        }

        var app = builder.Build();
        app.Use(HandleFailuresAsync);
        if (!string.IsNullOrWhiteSpace(apiKey))
        {
            var expected = System.Text.Encoding.UTF8.GetBytes(apiKey);
            app.Use((context, next) => RequireKeyAsync(context, next, expected));
        }

        foreach (var function in catalog.Http)
        {
            app.MapMethods($"/{catalog.RoutePrefix}/{function.Route}", function.Methods, ctx => FunctionInvoker.InvokeHttpAsync(function, ctx))
                .WithName(function.Name)
                .WithMetadata(function);
        }

        return app;
    }

    /// <summary>The first of <paramref name="urls"/> (semicolon-separated) that is not a loopback address, or null.</summary>
    internal static string? BeyondLoopback(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(url =>
        {
            // Kestrel's wildcards (http://*:7071, http://+:7071) do not parse as URIs: they listen everywhere.
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                return true;
            }

            return !(uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip)));
        });

    /// <summary>
    /// The function key, as Azure checks it: the <c>x-functions-key</c> header or the <c>code</c> query parameter, compared in
    /// fixed time; else a 401 problem.
    /// An anonymous function (<c>AuthorizationLevel.Anonymous</c>, e.g. health) needs none, as in Azure.
    /// </summary>
    private static Task RequireKeyAsync(HttpContext context, RequestDelegate next, byte[] expected)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<HttpFunction>() is { AuthLevel: Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous })
        {
            return next(context);
        }

        // The header, else ?code= as Azure also takes it (a browser opening the dashboard can send no header).
        var header = context.Request.Headers["x-functions-key"].ToString();
        var sent = System.Text.Encoding.UTF8.GetBytes(header.Length > 0 ? header : context.Request.Query["code"].ToString());
        if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(sent, expected))
        {
            return next(context);
        }

        var problem = ApiResults.Problem(StatusCodes.Status401Unauthorized, "A key is required.", "Send the host's key (LocalHost:ApiKey) in the x-functions-key header.");
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.ContentType = problem.ContentType;
        return context.Response.WriteAsync(problem.Content ?? string.Empty);
    }

    /// <summary>Replaces <c>%setting%</c> as the Functions host does; a missing setting is an error naming it.</summary>
    internal static string ResolveSettings(string expression, IConfiguration configuration)
    {
        var parts = expression.Split('%');
        for (var i = 1; i < parts.Length; i += 2)
        {
            parts[i] = configuration[parts[i]] ?? throw new InvalidOperationException($"Setting '{parts[i]}' is referenced by a trigger but not set.");
        }

        return string.Concat(parts);
    }

    private static async Task HandleFailuresAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("NeuraTrade.LocalHost").LogFailure(LogLevel.Error, ex, "Request {Path} failed, trace id {TraceId}: {Reason}", context.Request.Path, context.TraceIdentifier);
            var problem = ApiResults.ServerError(context.TraceIdentifier);
            context.Response.StatusCode = problem.StatusCode ?? StatusCodes.Status500InternalServerError;
            context.Response.ContentType = problem.ContentType;
            await context.Response.WriteAsync(problem.Content ?? string.Empty);
        }
    }
}
