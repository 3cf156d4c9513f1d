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

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// Serves the Functions app's own HTTP functions and timers on Kestrel, for machines without Azure Functions
/// Core Tools. Same composition, same routes (under host.json's route prefix), same schedules, same settings.
/// Function keys are not checked, as under Core Tools locally.
/// </summary>
internal static class LocalFunctionHost
{
    /// <param name="services">Last changes to the services (tests replace a port with one that fails in a precise way).</param>
    public static WebApplication Build(string urls, Action<IConfigurationBuilder>? configure = null, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });

        // Lowest priority: what the Functions app gets from local.settings.json / app settings.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { [ScalpingFunctions.ScheduleSetting] = ScalpingOptions.DefaultScanSchedule },
        });
        builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.Local.json"), optional: true);
        configure?.Invoke(builder.Configuration);
        builder.WebHost.UseUrls(urls);
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
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

        var app = builder.Build();
        app.Use(HandleFailuresAsync);
        foreach (var function in catalog.Http)
        {
            app.MapMethods($"/{catalog.RoutePrefix}/{function.Route}", function.Methods, ctx => FunctionInvoker.InvokeHttpAsync(function, ctx))
                .WithName(function.Name);
        }

        return app;
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
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("NeuraTrade.LocalHost").LogFailure(LogLevel.Error, ex, "Request {Path} failed: {Reason}", context.Request.Path);
            var problem = ApiResults.ServerError(context.TraceIdentifier);
            context.Response.StatusCode = problem.StatusCode ?? StatusCodes.Status500InternalServerError;
            context.Response.ContentType = problem.ContentType;
            await context.Response.WriteAsync(problem.Content ?? string.Empty);
        }
    }
}
