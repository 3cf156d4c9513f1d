using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
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
        var settings = new Dictionary<string, string?>
        {
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
            [ScalpingOptions.ScanQueueSetting] = queueName,
            [ScalpingOptions.ScheduleSetting] = "0 0 0 1 1 *",
            ["Scalping:FanOut"] = "on",
            ["Scalping:Symbols"] = string.Join(',', Symbols),
            ["Exchange:ReplayDirectory"] = "data/candles",
            ["Exchange:QuoteCurrency"] = "BTC",
            ["Exchange:StartingBalance"] = "100",
            ["Exchange:MinNotional"] = "0.0001",
            ["Scalping:MinOrderNotional"] = "0.001",
            ["Scalping:MaxPositionSize"] = "1",
            ["Scalping:MaxDailyLoss"] = "0.5",
            ["Scalping:MaxDrawdown"] = "0.75",
            ["Scalping:PositionHoldTime"] = "00:05:00",
        };
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
}
