using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Functions;

/// <summary>The scalper: the timer's scan, its status, and its toggle.</summary>
public sealed class ScalpingFunctions(ScalpingEngine engine, ScalpingControl control, ILogger<ScalpingFunctions> logger)
{
    /// <summary>
    /// App setting holding the scan's 6-field NCRONTAB schedule. Flat on purpose: nested names
    /// (<c>%Scalping:ScanSchedule%</c>) in trigger expressions do not resolve reliably on Linux plans.
    /// </summary>
    public const string ScheduleSetting = ScalpingOptions.ScheduleSetting;

    [Function("ScalpingScan")]
    public async Task Scan([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            logger.LogWarning("Scalping scan is running late");
        }

        await engine.RunScanAsync(cancellationToken);
    }

    [Function("ScalpingStatus")]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/scalping/status")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Ok(await control.GetStatusAsync(cancellationToken));

    [Function("ScalpingToggle")]
    public async Task<IActionResult> Toggle(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/scalping/toggle")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestReader.ReadAsync<ToggleRequest>(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Enabled is not { } enabled)
        {
            return ApiResults.BadRequest("enabled", "'enabled' is required: true or false");
        }

        var active = await control.SetActiveAsync(enabled, cancellationToken);
        logger.LogInformation("Scalping toggled {Active}", active);
        return ApiResults.Ok(new ToggleResponse(active));
    }
}
