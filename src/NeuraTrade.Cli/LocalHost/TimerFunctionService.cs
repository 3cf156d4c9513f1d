using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// Runs one timer function on its NCRONTAB schedule (6 fields, UTC), like the Functions host: no run on
/// startup, and never two runs of the same function at once.
/// </summary>
internal sealed class TimerFunctionService(
    TimerFunction function,
    CronExpression schedule,
    IServiceProvider services,
    TimeProvider time,
    ILogger<TimerFunctionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (schedule.GetNextOccurrence(now, TimeZoneInfo.Utc) is not { } next)
            {
                logger.LogWarning("Timer {Function} has no future occurrence", function.Name);
                return;
            }

            await Task.Delay(next - now, time, stoppingToken);
            var started = time.GetUtcNow();
            var timer = new TimerInfo
            {
                IsPastDue = started - next > TimeSpan.FromSeconds(1),
                ScheduleStatus = new ScheduleStatus { Last = last?.UtcDateTime ?? default, Next = next.UtcDateTime, LastUpdated = started.UtcDateTime },
            };
            try
            {
                await FunctionInvoker.InvokeTimerAsync(function, services, timer, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Storage or a venue down fails every run until it returns: one line each, the stack at Debug.
                logger.LogFailure(LogLevel.Error, ex, "Timer function {Function} failed: {Reason}", function.Name);
            }

            last = started;
        }
    }
}
