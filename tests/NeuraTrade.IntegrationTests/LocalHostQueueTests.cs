using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// <c>serve</c>'s queue trigger: two local hosts (two instances: own services, own claims' owners) on one Azurite, one
/// table prefix and one fan-out queue, polling it as host.json says. The test sends the messages itself (the timers stay
/// quiet) and counts the decisions in the journal.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalHostQueueTests(AzuriteFixture azurite)
{
    private static readonly string[] Symbols = ["ETH/BTC", "LTC/BTC", "XMR/BTC"];

    [Fact]
    public async Task Two_local_hosts_on_one_queue_scan_each_symbol_once_whatever_the_duplicates_and_poison_a_malformed_message()
    {
        var queueName = AzuriteFixture.UniqueQueue();
        var settings = ReplayUniverse.WithBtcAccount(new Dictionary<string, string?>
        {
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
            [ScalpingOptions.ScanQueueSetting] = queueName,
            [ScalpingOptions.ScheduleSetting] = "0 0 0 1 1 *",
            ["Scalping:FanOut"] = "on",
            ["Scalping:Symbols"] = string.Join(',', Symbols),
            ["Exchange:ReplayDirectory"] = "data/candles",
            ["Scalping:PositionHoldTime"] = "00:05:00",
        });
        await using var first = await LoopbackFunctionHost.StartAsync(azurite, settings);
        await using var second = await LoopbackFunctionHost.StartAsync(azurite, settings);

        // An interval of an hour (from the wall clock's current hour): the messages stay fresh while the hosts take them.
        var interval = ScanInterval.At(DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var poison = new QueueClient(azurite.ConnectionString, QueueSymbolScanQueue.PoisonName(queueName), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        foreach (var symbol in Symbols)
        {
            for (var copy = 0; copy < 3; copy++)
            {
                await queue.SendMessageAsync(SymbolScanRequest.For(interval, symbol).ToJson());
            }
        }

        await queue.SendMessageAsync("""{"interval":"x","symbol":"ETH/BTC"}""");

        // Wait until both hosts have drained the queue (a message is deleted once its function returned) and the malformed one
        // is in the poison queue.
        var decisions = first.App.Services.GetRequiredService<IDecisionStore>();
        for (var i = 0; i < 600; i++)
        {
            var left = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            var poisoned = (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            var decided = 0;
            foreach (var symbol in Symbols)
            {
                decided += (await decisions.GetLatestAsync(symbol, 10, CancellationToken.None)).Count;
            }

            if (left == 0 && poisoned == 1 && decided >= Symbols.Length)
            {
                break;
            }

            await Task.Delay(100);
        }

        // The count includes messages taken and not yet deleted: none is left running.
        foreach (var symbol in Symbols)
        {
            Assert.Single(await decisions.GetLatestAsync(symbol, 10, CancellationToken.None));
        }

        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var dead = Assert.Single((await poison.ReceiveMessagesAsync(10)).Value);
        Assert.Equal("""{"interval":"x","symbol":"ETH/BTC"}""", dead.Body.ToString());
    }

    /// <summary>
    /// One symbol's scan keeps throwing (its exchange ticker fails with an exception nobody expects): the local host retries
    /// the message as the Functions host does (visible again after host.json's visibilityTimeout, its dequeue count up by
    /// one), each retry a real scan (the failed scan gave its claim back: the exchange is asked every time, never refused as
    /// a duplicate), and after maxDequeueCount (3) attempts the message is in <c>{queue}-poison</c> with the reason logged,
    /// while the other symbols are scanned once. The status shows the interval as it went: counts and each symbol.
    /// </summary>
    [Fact]
    public async Task A_scan_that_keeps_failing_is_retried_as_real_scans_then_poisoned_while_the_others_scan_and_the_status_shows_it()
    {
        var queueName = AzuriteFixture.UniqueQueue();
        var settings = ReplayUniverse.WithBtcAccount(new Dictionary<string, string?>
        {
            [ScalpingOptions.ScanQueueSetting] = queueName,

            // Once a day: the cadence (the interval the test dispatches by hand) is a day, so no message goes stale meanwhile.
            [ScalpingOptions.ScheduleSetting] = "0 0 0 * * *",
            ["Scalping:FanOut"] = "on",
            ["Scalping:Symbols"] = string.Join(',', Symbols),
            ["Exchange:ReplayDirectory"] = "data/candles",
            ["Scalping:PositionHoldTime"] = "00:05:00",
        });
        const string failing = "LTC/BTC";
        var logs = new CapturedLogs();
        var tickers = new ConcurrentDictionary<string, int>();
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, settings, services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            FailingSymbolExchange.Decorate(services, failing, tickers);
        });

        var fanOut = host.App.Services.GetRequiredService<ScanFanOut>();
        var dispatched = await fanOut.DispatchAsync(CancellationToken.None);
        Assert.False(dispatched.Skipped);
        var interval = ScanInterval.At(DateTimeOffset.UtcNow, TimeSpan.FromDays(1)).Id;

        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var poison = new QueueClient(azurite.ConnectionString, QueueSymbolScanQueue.PoisonName(queueName), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await poison.CreateIfNotExistsAsync();
        var decisions = host.App.Services.GetRequiredService<IDecisionStore>();
        for (var i = 0; i < 1200; i++)
        {
            if ((await poison.PeekMessagesAsync(10)).Value.Length > 0 && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        // In the poison queue as it was sent, and nothing left on the scan queue.
        var dead = Assert.Single((await poison.ReceiveMessagesAsync(10)).Value);
        var request = SymbolScanRequest.Parse(dead.Body.ToString(), out _);
        Assert.Equal((interval, failing), (request?.Interval, request?.Symbol));
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);

        // Three attempts, each a scan that reached the exchange: the claim was given back after each failure.
        Assert.Equal(3, tickers.GetValueOrDefault(failing));
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id == FanOutLog.SymbolScanDroppedId);
        var retried = logs.Entries.Where(e => e.Message.Contains("retried: InvalidOperationException: ticker feed broke for " + failing, StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.Equal(2, retried.Count);
        Assert.Contains(retried, m => m.Contains("(attempt 1 of 3)", StringComparison.Ordinal));
        Assert.Contains(retried, m => m.Contains("(attempt 2 of 3)", StringComparison.Ordinal));
        var poisoned = Assert.Single(logs.Entries, e => e.EventId.Id == FanOutLog.SymbolScanPoisonedId);
        Assert.Equal(LogLevel.Warning, poisoned.Level);
        Assert.Contains($"goes to the poison queue {queueName}-poison after 3 attempts: InvalidOperationException: ticker feed broke for {failing}", poisoned.Message, StringComparison.Ordinal);

        // The other symbols scanned once each; the failing one decided nothing.
        Assert.Empty(await decisions.GetLatestAsync(failing, 10, CancellationToken.None));
        var journaled = new Dictionary<string, string>();
        foreach (var symbol in Symbols.Where(s => s != failing))
        {
            journaled[symbol] = Assert.Single(await decisions.GetLatestAsync(symbol, 10, CancellationToken.None)).Id;
            Assert.Equal(1, tickers.GetValueOrDefault(symbol));
        }

        // The status: 3 enqueued, 2 scanned, 1 poisoned, none pending; per symbol who scanned it and what came of it.
        using var response = await host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative));
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("fan_out");
        Assert.Equal(interval, status.GetProperty("interval").GetString());
        Assert.Equal(fanOut.Instance, status.GetProperty("dispatched_by").GetString());
        var counts = status.GetProperty("counts");
        Assert.Equal((3, 2, 0, 1, 0), (counts.GetProperty("enqueued").GetInt32(), counts.GetProperty("scanned").GetInt32(), counts.GetProperty("stale").GetInt32(), counts.GetProperty("poisoned").GetInt32(), counts.GetProperty("pending").GetInt32()));
        var symbols = status.GetProperty("symbols").EnumerateArray().ToDictionary(s => s.GetProperty("symbol").GetString()!);
        Assert.Equal(Symbols.Order(), symbols.Keys.Order());
        foreach (var (symbol, id) in journaled)
        {
            var view = symbols[symbol];
            Assert.Equal("scanned", view.GetProperty("state").GetString());
            var scan = view.GetProperty("last_scan");
            Assert.Equal((interval, fanOut.Instance, "scanned", id), (scan.GetProperty("interval").GetString(), scan.GetProperty("instance").GetString(), scan.GetProperty("outcome").GetString(), scan.GetProperty("decision_id").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(scan.GetProperty("detail").GetString()));
            Assert.Equal(JsonValueKind.Null, view.GetProperty("last_drop").ValueKind);
        }

        var broken = symbols[failing];
        Assert.Equal("poisoned", broken.GetProperty("state").GetString());
        Assert.Equal(("failed", $"InvalidOperationException: ticker feed broke for {failing}"), (broken.GetProperty("last_scan").GetProperty("outcome").GetString(), broken.GetProperty("last_scan").GetProperty("detail").GetString()));
        Assert.Equal(("poisoned", interval), (broken.GetProperty("last_drop").GetProperty("outcome").GetString(), broken.GetProperty("last_drop").GetProperty("interval").GetString()));
        Assert.Contains($"ticker feed broke for {failing}", broken.GetProperty("last_drop").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// A message already delivered maxDequeueCount (3) times whose runs never completed (their processes died: here, three
    /// receives that were never deleted) is moved to the poison queue on its next delivery without running: no decision.
    /// </summary>
    [Fact]
    public async Task A_message_dequeued_more_often_than_allowed_without_completing_goes_to_the_poison_queue_unrun()
    {
        var queueName = AzuriteFixture.UniqueQueue();
        var queue = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var poison = new QueueClient(azurite.ConnectionString, QueueSymbolScanQueue.PoisonName(queueName), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await poison.CreateIfNotExistsAsync();
        var body = SymbolScanRequest.For(ScanInterval.At(DateTimeOffset.UtcNow, TimeSpan.FromDays(1)), "ETH/BTC").ToJson();
        await queue.SendMessageAsync(body);
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            // Taken and left (a run that died): visible again at once.
            var taken = Assert.Single((await queue.ReceiveMessagesAsync(1, TimeSpan.FromSeconds(1))).Value);
            Assert.Equal(delivery, taken.DequeueCount);
            await queue.UpdateMessageAsync(taken.MessageId, taken.PopReceipt, visibilityTimeout: TimeSpan.Zero);
        }

        var logs = new CapturedLogs();
        await using var host = await LoopbackFunctionHost.StartAsync(
            azurite,
            new Dictionary<string, string?>
            {
                [ScalpingOptions.ScanQueueSetting] = queueName,
                [ScalpingOptions.ScheduleSetting] = "0 0 0 * * *",
                ["Scalping:FanOut"] = "on",
                ["Scalping:Symbols"] = "ETH/BTC",
                ["Exchange:ReplayDirectory"] = "data/candles",
                ["Exchange:QuoteCurrency"] = "BTC",
                ["Exchange:StartingBalance"] = "100",
                ["Scalping:PositionHoldTime"] = "00:05:00",
            },
            services => services.AddSingleton<ILoggerProvider>(logs));

        for (var i = 0; i < 600 && (await poison.PeekMessagesAsync(1)).Value.Length == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(body, Assert.Single((await poison.ReceiveMessagesAsync(10)).Value).Body.ToString());
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("was dequeued 4 times (maxDequeueCount 3) without completing", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Id is FanOutLog.SymbolScannedId or FanOutLog.SymbolScanDroppedId);
        Assert.Empty(await host.App.Services.GetRequiredService<IDecisionStore>().GetLatestAsync("ETH/BTC", 10, CancellationToken.None));
    }

    /// <summary>The app's exchange, but its ticker for one symbol fails with an exception no adapter should throw; tickers counted per symbol.</summary>
    public class FailingSymbolExchange : DispatchProxy
    {
        private IExchange _inner = null!;
        private string _failing = null!;
        private ConcurrentDictionary<string, int> _tickers = null!;

        /// <summary>Wraps the exchange the composition registered.</summary>
        public static void Decorate(IServiceCollection services, string failing, ConcurrentDictionary<string, int> tickers)
        {
            var original = services.Last(d => d.ServiceType == typeof(IExchange));
            services.Remove(original);
            services.AddSingleton(sp =>
            {
                var inner = (IExchange)(original.ImplementationInstance
                    ?? original.ImplementationFactory?.Invoke(sp)
                    ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!));
                var proxy = Create<IExchange, FailingSymbolExchange>();
                var self = (FailingSymbolExchange)(object)proxy;
                (self._inner, self._failing, self._tickers) = (inner, failing, tickers);
                return proxy;
            });
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IExchange.FetchTickerAsync) && args?[0] is string symbol)
            {
                _tickers.AddOrUpdate(symbol, 1, (_, n) => n + 1);
                if (symbol == _failing)
                {
                    return Task.FromException<NeuraTrade.Core.Markets.Ticker>(new InvalidOperationException($"ticker feed broke for {symbol}"));
                }
            }

            try
            {
                return targetMethod!.Invoke(_inner, args);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }
    }
}
