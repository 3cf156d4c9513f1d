using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Functions.Settings;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// Runs one queue-triggered function the way the Functions host does, with host.json's <c>extensions.queues</c>: fetch up
/// to <c>batchSize</c> messages whenever no more than <c>newBatchThreshold</c> are running, poll with backoff up to
/// <c>maxPollingInterval</c> while the queue is empty, delete a message its function finished, make a failed one visible
/// again after <c>visibilityTimeout</c>, and move it to <c>{queue}-poison</c> once it failed <c>maxDequeueCount</c> times
/// (or, unrun, once it was dequeued more often than that: its runs died without failing).
/// Several processes on one queue share its messages as several instances would.
/// </summary>
internal sealed class QueueFunctionService(
    QueueFunction function,
    QueueClient queue,
    QueueClient poison,
    QueueHostSettings settings,
    IServiceProvider services,
    TimeProvider wall,
    ILogger<QueueFunctionService> logger) : BackgroundService
{
    /// <summary>How long a message taken stays invisible to the others: the function timeout (host.json, 5 minutes).</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await CreateQueuesAsync(stoppingToken);
        var running = new List<Task>();
        var idle = FirstPoll;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveAll(t => t.IsCompleted);
                if (running.Count > settings.NewBatchThreshold)
                {
                    await Task.WhenAny(running);
                    continue;
                }

                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(settings.BatchSize, InFlight, stoppingToken)).Value;
                }
                catch (RequestFailedException ex)
                {
                    logger.LogFailure(LogLevel.Warning, ex, "Queue {Queue} of function {Function} could not be read: {Reason}", queue.Name, function.Name);
                    batch = [];
                }

                if (batch.Length == 0)
                {
                    await Task.Delay(idle, wall, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, settings.MaxPollingInterval.Ticks));
                    continue;
                }

                idle = FirstPoll;
                running.AddRange(batch.Select(m => RunAsync(m, stoppingToken)));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the messages running finish or are handed back below.
        }

        await Task.WhenAll(running);
    }

    private async Task RunAsync(QueueMessage message, CancellationToken stoppingToken)
    {
        await Task.Yield();

        // Delivered more often than allowed without a failure to count it (its process died mid-run, or the receipt lapsed):
        // the host moves it before running it again.
        if (message.DequeueCount > settings.MaxDequeueCount)
        {
            logger.LogWarning("Message {MessageId} of function {Function} was dequeued {DequeueCount} times (maxDequeueCount {MaxDequeueCount}) without completing: moved to {PoisonQueue} unrun", message.MessageId, function.Name, message.DequeueCount, settings.MaxDequeueCount, poison.Name);
            await TryAsync(() => MoveToPoisonAsync(message));
            return;
        }

        try
        {
            await FunctionInvoker.InvokeQueueAsync(function, services, message, stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped mid-way: hand the message back at once for another instance (or the next start).
            await TryAsync(() => queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None));
        }
        catch (Exception ex)
        {
            if (message.DequeueCount >= settings.MaxDequeueCount)
            {
                logger.LogFailure(LogLevel.Warning, ex, "Function {Function} failed on message {MessageId} for the last time: moved to " + poison.Name + ": {Reason}", function.Name, message.MessageId);
                await TryAsync(() => MoveToPoisonAsync(message));
            }
            else
            {
                logger.LogFailure(LogLevel.Warning, ex, "Function {Function} failed on message {MessageId} (attempt " + message.DequeueCount + " of " + settings.MaxDequeueCount + "), retried: {Reason}", function.Name, message.MessageId);
                await TryAsync(() => queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: settings.VisibilityTimeout, cancellationToken: CancellationToken.None));
            }
        }
    }

    /// <summary>As the host does: a copy of the body on <c>{queue}-poison</c> (default time to live, 7 days), then the original deleted.</summary>
    private async Task MoveToPoisonAsync(QueueMessage message)
    {
        await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
    }

    /// <summary>Azurite may still be starting: try until the queues exist.</summary>
    private async Task CreateQueuesAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogDebug("Queue {Queue} not reachable yet: {Error}", queue.Name, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(500), wall, stoppingToken);
            }
        }
    }

    private async Task TryAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (RequestFailedException ex)
        {
            // The message's receipt lapsed (it is visible again): the queue hands it out anew, as in Azure.
            logger.LogDebug("Queue {Queue}: {Error}", queue.Name, ex.Message);
        }
    }
}
