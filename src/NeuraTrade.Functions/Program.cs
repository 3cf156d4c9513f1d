using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuraTrade.Functions.Composition;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemDetailsMiddleware>();

// The worker's own logs straight to Application Insights (APPLICATIONINSIGHTS_CONNECTION_STRING, set by the Bicep), with
// each template field as a custom dimension; without the setting nothing is sent. No adaptive sampling: an operator
// looking for one decision must find it (the events are a few per scan).
builder.Services
    .AddApplicationInsightsTelemetryWorkerService(options => options.EnableAdaptiveSampling = false)
    .ConfigureFunctionsApplicationInsights();

// The SDK adds a rule that keeps only warnings and above: the trading events are Information.
builder.Logging.Services.Configure<LoggerFilterOptions>(options =>
{
    if (options.Rules.FirstOrDefault(r => r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider") is { } warningsOnly)
    {
        options.Rules.Remove(warningsOnly);
    }
});
builder.AddNeuraTrade();
builder.Build().Run();
