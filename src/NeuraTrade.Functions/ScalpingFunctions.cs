using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.OpenApi;
using NeuraTrade.Functions.Settings;
using NeuraTrade.Storage;

namespace NeuraTrade.Functions;

/// <summary>The scalper: the timer's scan (or its fan-out), one symbol's scan from the queue, status, toggle, a manual close and the kill switch.</summary>
public sealed class ScalpingFunctions(
    ScanFanOut scans,
    QueueSymbolScanQueue queue,
    QueueHostSettings queueHost,
    ScalpingControl control,
    NeuraTrade.Core.Arbitrage.ArbitrageControl arbitrage,
    TradingAuthorization authorization,
    ILogger<ScalpingFunctions> logger)
{
    /// <summary>
    /// App setting holding the scan's 6-field NCRONTAB schedule. Flat on purpose: nested names
    /// (<c>%Scalping:ScanSchedule%</c>) in trigger expressions do not resolve reliably on Linux plans.
    /// </summary>
    public const string ScheduleSetting = ScalpingOptions.ScheduleSetting;

    /// <summary>App setting naming the fan-out queue (flat, like the schedule); <c>scalping-scans</c> in the Bicep and locally.</summary>
    public const string ScanQueueSetting = ScalpingOptions.ScanQueueSetting;

    [Function("ScalpingScan")]
    public async Task Scan([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            logger.LogWarning("Scalping scan is running late");
        }

        await scans.RunIntervalAsync(cancellationToken);
    }

    /// <summary>
    /// One symbol of a fanned-out interval. A malformed message goes straight to the poison queue (no retry can mend it);
    /// a scan that fails throws, so the host retries it and moves it to the poison queue after host.json's
    /// <c>maxDequeueCount</c> attempts, the last one logged with its reason.
    /// </summary>
    [Function("ScalpingSymbolScan")]
    public async Task ScanSymbol([QueueTrigger("%" + ScanQueueSetting + "%")] QueueMessage message, CancellationToken cancellationToken)
    {
        if (SymbolScanRequest.Parse(ScanMessageText.Of(message), out var problem) is not { } request)
        {
            await queue.PoisonAsync(message, problem!, cancellationToken);
            logger.SymbolScanPoisoned(message.MessageId, queue.PoisonQueueName, message.DequeueCount, problem!);
            return;
        }

        try
        {
            await scans.ScanSymbolAsync(request, cancellationToken);
        }
        catch (Exception ex) when (message.DequeueCount >= queueHost.MaxDequeueCount && ex is not OperationCanceledException)
        {
            // The last attempt: the host moves the message to the poison queue once this throws.
            var reason = NeuraTrade.Core.Diagnostics.FailureLogging.Reason(ex);
            logger.SymbolScanPoisoned(message.MessageId, queue.PoisonQueueName, message.DequeueCount, reason);
            await scans.RecordPoisonedAsync(request, reason, CancellationToken.None);
            throw;
        }
    }

    [OpenApiOperation("The scalper's state: toggle, positions with unrealized PnL, PnL, limits, last scan, LLM bill, books, replay.", Response = typeof(ScalpingStatus))]
    [Function("ScalpingStatus")]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/scalping/status")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Ok(await control.GetStatusAsync(cancellationToken));

    [OpenApiOperation("Turns new entries on or off (persisted).", Request = typeof(ToggleRequest), RequestRequired = ["enabled"], RequestExample = """{"enabled":false}""", Response = typeof(ToggleResponse), Problems = [400, 401, 403, 503])]
    [Function("ScalpingToggle")]
    [TradingAction]
    public async Task<IActionResult> Toggle(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/scalping/toggle")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (await authorization.AuthorizeAsync(request, "ScalpingToggle", cancellationToken) is { } denied)
        {
            return denied;
        }

        var (enabled, problem) = await RequestReader.ReadToggleAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var active = await control.SetActiveAsync(enabled, cancellationToken);
        logger.LogInformation("Scalping toggled {Active}", active);
        return ApiResults.Ok(new ToggleResponse(active));
    }

    /// <summary>Closes one open position at market now (exit reason <c>manual</c>).</summary>
    [OpenApiOperation("Closes one open position at market (exit reason manual).", Response = typeof(Position), Problems = [400, 401, 403, 404, 503])]
    [Function("ScalpingClosePosition")]
    [TradingAction]
    public async Task<IActionResult> ClosePosition(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/scalping/positions/{id}/close")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (await authorization.AuthorizeAsync(request, "ScalpingClosePosition", cancellationToken) is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(id) || id.Length > 200 || id.Any(char.IsControl))
        {
            return ApiResults.BadRequest("id", "'id' must be the id of an open position, as the status endpoint lists it");
        }

        var result = await control.ClosePositionAsync(id, cancellationToken);
        if (!result.Found)
        {
            return ApiResults.Problem(StatusCodes.Status404NotFound, "No such open position", $"no open position '{id}'");
        }

        if (result.Closed is null)
        {
            return ApiResults.Problem(StatusCodes.Status503ServiceUnavailable, "Position not closed", $"the exit of '{id}' did not fill or is already in progress; try again");
        }

        logger.LogInformation("Position {PositionId} closed by hand", id);
        return ApiResults.Ok(result.Closed);
    }

    /// <summary>The kill switch: scalping off, then every open position closed at market (exit reason <c>kill_switch</c>); arbitrage off too, saying why.</summary>
    [OpenApiOperation("The kill switch: scalping off, every open position closed at market.", Response = typeof(KillSwitchResult), Problems = [401, 403, 503])]
    [Function("ScalpingKill")]
    [TradingAction]
    public async Task<IActionResult> Kill(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/scalping/kill")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (await authorization.AuthorizeAsync(request, "ScalpingKill", cancellationToken) is { } denied)
        {
            return denied;
        }

        await arbitrage.KillAsync(cancellationToken);
        var result = await control.KillAsync(cancellationToken);
        logger.LogWarning("Kill switch: scalping off, {Closed} positions closed, {StillOpen} still open", result.Closed.Count, result.StillOpen.Count);
        return ApiResults.Ok(result);
    }
}
