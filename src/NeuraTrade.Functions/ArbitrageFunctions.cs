using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.OpenApi;

namespace NeuraTrade.Functions;

/// <summary>The arbitrage: the timer's scan across the venues, its status and its own toggle (apart from scalping's).</summary>
public sealed class ArbitrageFunctions(
    ArbitrageEngine engine,
    ArbitrageControl control,
    TradingAuthorization authorization,
    ILogger<ArbitrageFunctions> logger)
{
    /// <summary>App setting holding the arbitrage scan's 6-field NCRONTAB schedule (flat, like the scalper's).</summary>
    public const string ScheduleSetting = ArbitrageOptions.ScheduleSetting;

    /// <summary>One scan: a HOLD with the best net edge, or an arbitrage decided, admitted and executed; only a log line while off.</summary>
    [Function("ArbitrageScan")]
    public async Task Scan([TimerTrigger("%" + ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (timer.IsPastDue)
        {
            logger.LogWarning("Arbitrage scan is running late");
        }

        try
        {
            await engine.RunScheduledAsync(cancellationToken);
        }
        catch (ExchangeException ex)
        {
            // A venue that cannot be read this time: the next scan tries again (nothing was placed).
            logger.LogWarning(new EventId(4605, "ArbitrageScanFailed"), "Arbitrage scan failed reading the venues: {Reason}", ex.Message);
        }
    }

    [OpenApiOperation("The arbitrage's state: toggle, venues with free inventory and drift, how to rebalance, last scan, today's arbitrages and PnL.", Response = typeof(ArbitrageOverview))]
    [Function("ArbitrageStatus")]
    public async Task<IActionResult> Status(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "v1/ai/arbitrage/status")] HttpRequest request,
        CancellationToken cancellationToken) =>
        ApiResults.Ok(await control.GetStatusAsync(cancellationToken));

    [OpenApiOperation("Turns arbitrage on or off (persisted).", Request = typeof(ToggleRequest), RequestRequired = ["enabled"], RequestExample = """{"enabled":false}""", Response = typeof(ToggleResponse), Problems = [400, 401, 403, 503])]
    [Function("ArbitrageToggle")]
    [TradingAction]
    public async Task<IActionResult> Toggle(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "v1/ai/arbitrage/toggle")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (await authorization.AuthorizeAsync(request, "ArbitrageToggle", cancellationToken) is { } denied)
        {
            return denied;
        }

        var (enabled, problem) = await RequestReader.ReadToggleAsync(request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var active = await control.SetEnabledAsync(enabled, cancellationToken);
        logger.LogInformation("Arbitrage toggled {Active}", active);
        return ApiResults.Ok(new ToggleResponse(active));
    }
}
