using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Settings;
using NeuraTrade.Storage;
using NeuraTrade.TestSupport;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The scan fanned out over a real Azurite queue: the timer's dispatch enqueues, messages are read back from the queue
/// with the SDK (as the Functions host reads them) and handed to the queue-triggered function, duplicated and late, while
/// a fake wall clock decides what is stale. Decisions are counted from the journal.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    // Three X/BTC markets of the bundled 5m candles over the same days (one replay clock): each gets a decision per scan.
    private static readonly string[] Symbols = ["ETH/BTC", "LTC/BTC", "XMR/BTC"];

    [Fact]
    public async Task Duplicated_and_redelivered_messages_scan_every_symbol_exactly_once_in_an_interval()
    {
        await using var app = FannedOut(out var queueName);
        var dispatched = await app.Get<ScanFanOut>().DispatchAsync(CancellationToken.None);
        Assert.False(dispatched.Skipped);

        var queue = Client(queueName);
        var sent = await ReceiveAllAsync(queue);
        Assert.Equal(Symbols.Order(), sent.Select(m => SymbolScanRequest.Parse(m.Body.ToString(), out _)!.Symbol).Order());

        // Every message three times (the original and two duplicates), and all nine handled at once, as three instances would.
        foreach (var message in sent)
        {
            for (var copy = 0; copy < 3; copy++)
            {
                await queue.SendMessageAsync(message.Body.ToString());
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        var copies = await ReceiveAllAsync(queue);
        Assert.Equal(9, copies.Count);
        await Task.WhenAll(copies.Select(m => Function(app).ScanSymbol(m, CancellationToken.None)));
        await AssertDecisionsAsync(app, 1);

        // The status: the interval's three messages scanned, none pending; each symbol's copies dropped as duplicates.
        var fanOut = (await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None)).FanOut!;
        var interval = ScanInterval.At(Start, TimeSpan.FromSeconds(10)).Id;
        Assert.Equal((interval, new FanOutCounts(3, 3, 0, 0, 0)), (fanOut.Interval, fanOut.Counts));
        foreach (var symbol in fanOut.Symbols)
        {
            var decision = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync(symbol.Symbol, 10, CancellationToken.None));
            Assert.Equal(("scanned", interval, FanOutOutcome.Scanned, decision.Id, Start), (symbol.State, symbol.LastScan!.Interval, symbol.LastScan.Outcome, symbol.LastScan.DecisionId, symbol.LastScan.At));
            Assert.Equal((FanOutOutcome.Duplicate, interval), (symbol.LastDrop!.Outcome, symbol.LastDrop.Interval));
            Assert.StartsWith("its claim is held", symbol.LastDrop.Detail, StringComparison.Ordinal);
        }

        // Redelivered after the scans finished, still within the interval: nothing more.
        app.Time.Advance(TimeSpan.FromSeconds(5));
        await Task.WhenAll(copies.Take(3).Select(m => Function(app).ScanSymbol(m, CancellationToken.None)));
        await AssertDecisionsAsync(app, 1);

        // A second timer in the same interval (another instance) enqueues nothing.
        Assert.True((await app.Get<ScanFanOut>().DispatchAsync(CancellationToken.None)).Skipped);
        Assert.Empty(await ReceiveAllAsync(queue));

        // The next interval scans every symbol again.
        app.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.False((await app.Get<ScanFanOut>().DispatchAsync(CancellationToken.None)).Skipped);
        var next = await ReceiveAllAsync(queue);
        await Task.WhenAll(next.Select(m => Function(app).ScanSymbol(m, CancellationToken.None)));
        await AssertDecisionsAsync(app, 2);
    }

    [Fact]
    public async Task A_message_taken_after_its_interval_ended_is_dropped_and_nothing_is_decided()
    {
        await using var app = FannedOut(out var queueName);
        await app.Get<ScanFanOut>().DispatchAsync(CancellationToken.None);
        var messages = await ReceiveAllAsync(Client(queueName));
        Assert.Equal(3, messages.Count);

        // The default schedule's interval is 10 s; the dispatch ran at its start.
        app.Time.Advance(TimeSpan.FromSeconds(10));
        foreach (var message in messages)
        {
            Assert.Equal(SymbolScanOutcome.Stale, await app.Get<ScanFanOut>().ScanSymbolAsync(SymbolScanRequest.Parse(message.Body.ToString(), out _)!, CancellationToken.None));
            await Function(app).ScanSymbol(message, CancellationToken.None);
        }

        await AssertDecisionsAsync(app, 0);

        // The status: all three of the interval's messages dropped as stale, each with when its interval ended.
        var fanOut = (await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None)).FanOut!;
        Assert.Equal(new FanOutCounts(3, 0, 3, 0, 0), fanOut.Counts);
        Assert.All(fanOut.Symbols, s =>
        {
            Assert.Equal(("stale", (FanOutEvent?)null), (s.State, s.LastScan));
            Assert.Equal("stale: its interval ended at 2026-03-02T10:00:10.0000000+00:00, 0 s ago", s.LastDrop!.Detail);
        });
    }

    [Fact]
    public async Task A_malformed_message_goes_to_the_poison_queue_with_its_reason_logged()
    {
        var logs = new CapturedLogs();
        await using var app = TestApp.Create(azurite, Start, Settings(out var queueName), logs);
        var malformed = QueuesModelFactory.QueueMessage("m-1", "receipt", new BinaryData(Encoding.UTF8.GetBytes("""{"symbol":"BTC/USDT"}""")), 1);

        await Function(app).ScanSymbol(malformed, CancellationToken.None);

        var poisoned = Assert.Single(await ReceiveAllAsync(Client(QueueSymbolScanQueue.PoisonName(queueName))));
        Assert.Equal("""{"symbol":"BTC/USDT"}""", poisoned.Body.ToString());
        Assert.Contains(logs.Entries.Select(e => e.Message), l => l.Contains("m-1 goes to the poison queue", StringComparison.Ordinal) && l.Contains("no symbol or no interval", StringComparison.Ordinal));
        await AssertDecisionsAsync(app, 0);
    }

    /// <summary>
    /// The rules brain is deterministic: fanned out or not, the same market gives the same decisions. Two apps (own tables,
    /// own paper accounts) step through the replay together, interval by interval, until entries were made.
    /// </summary>
    [Fact]
    public async Task Fanned_out_the_decisions_are_those_of_one_scan_when_max_positions_does_not_bind()
    {
        var settings = Settings(out var queueName);
        settings["Scalping:MaxPositions"] = "3";
        await using var fanned = TestApp.Create(azurite, Start, settings);
        settings["Scalping:FanOut"] = "off";
        await using var single = TestApp.Create(azurite, Start, settings);
        var queue = Client(queueName);

        var entries = 0;
        for (var step = 0; step < 400 && entries < 2; step++)
        {
            var scan = await single.Get<ScanFanOut>().RunIntervalAsync(CancellationToken.None);
            Assert.Equal(Symbols.Length, scan.Symbols.Count);
            Assert.False((await fanned.Get<ScanFanOut>().RunIntervalAsync(CancellationToken.None)).Skipped);
            await Task.WhenAll((await ReceiveAllAsync(queue)).Select(m => Function(fanned).ScanSymbol(m, CancellationToken.None)));

            foreach (var symbol in Symbols)
            {
                var one = (await single.Get<IDecisionStore>().GetLatestAsync(symbol, 1, CancellationToken.None))[0];
                var other = (await fanned.Get<IDecisionStore>().GetLatestAsync(symbol, 1, CancellationToken.None))[0];
                Assert.Equal((one.Action, one.Confidence, one.EntryPrice, one.StopLoss, one.TakeProfit, one.HoldReason, one.ExecutedAt, one.CreatedAt),
                    (other.Action, other.Confidence, other.EntryPrice, other.StopLoss, other.TakeProfit, other.HoldReason, other.ExecutedAt, other.CreatedAt));
                entries += one.ExecutedAt is null ? 0 : 1;
            }

            single.Time.Advance(TimeSpan.FromSeconds(10));
            fanned.Time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.True(entries >= 2, $"only {entries} entries were made in the replay");
        Assert.Equal(
            (await single.Get<IPositionStore>().GetOpenAsync(CancellationToken.None)).Select(p => (p.Symbol, p.Amount, p.EntryPrice)).Order(),
            (await fanned.Get<IPositionStore>().GetOpenAsync(CancellationToken.None)).Select(p => (p.Symbol, p.Amount, p.EntryPrice)).Order());
    }

    /// <summary>
    /// A model that buys every symbol and room for one position: fanned out, the first decision made takes the slot,
    /// whatever the symbol order; the single scan, which places entries in symbol order once every brain answered, gives
    /// it to the first symbol. The messages are handled one second apart, in the reverse of symbol order.
    /// </summary>
    [Fact]
    public async Task Under_contention_fanned_out_entries_are_admitted_in_the_order_of_their_decision_time()
    {
        await using var llm = await LoopbackChatServer.StartAsync(
            body =>
            {
                var prompt = DecisionAnswers.Prompt(body);
                return (OpenAiWire.Text(DecisionAnswers.BuyAtAsk(DecisionAnswers.Symbol(prompt), DecisionAnswers.Ask(prompt), "contention test: always buy")), "stop");
            },
            promptTokens: 100,
            completionTokens: 50);
        var settings = Settings(out var queueName);
        settings["Scalping:MaxPositions"] = "1";
        settings["AI:Provider"] = "openai";
        settings["AI:Model"] = "gpt-4o-mini";
        settings["AI:ApiKey"] = "sk-test-not-a-real-key";
        settings["AI:Endpoint"] = llm.Endpoint;
        settings["AI:RetryBaseDelayMs"] = "1";
        await using var fanned = TestApp.Create(azurite, Start, settings);
        settings["Scalping:FanOut"] = "off";
        await using var single = TestApp.Create(azurite, Start, settings);

        await fanned.Get<ScanFanOut>().DispatchAsync(CancellationToken.None);
        var messages = (await ReceiveAllAsync(Client(queueName))).ToDictionary(m => SymbolScanRequest.Parse(m.Body.ToString(), out _)!.Symbol);
        string[] decidedOrder = ["XMR/BTC", "LTC/BTC", "ETH/BTC"];
        foreach (var symbol in decidedOrder)
        {
            await Function(fanned).ScanSymbol(messages[symbol], CancellationToken.None);
            fanned.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var decisions = new List<TradingDecision>();
        foreach (var symbol in decidedOrder)
        {
            decisions.Add(Assert.Single(await fanned.Get<IDecisionStore>().GetLatestAsync(symbol, 10, CancellationToken.None)));
        }

        var first = decisions.MinBy(d => d.CreatedAt)!;
        Assert.Equal("XMR/BTC", first.Symbol);
        Assert.Equal(first.Id, Assert.Single(await fanned.Get<IPositionStore>().GetOpenAsync(CancellationToken.None)).DecisionId);
        Assert.All(decisions.Where(d => d != first), d =>
        {
            Assert.Equal(TradeAction.Hold, d.Action);
            Assert.True(d.CreatedAt > first.CreatedAt);
            Assert.Contains("Scalping:MaxPositions 1", d.HoldReason, StringComparison.Ordinal);
        });

        var scan = await single.Get<ScanFanOut>().RunIntervalAsync(CancellationToken.None);
        Assert.Equal(["ETH/BTC"], scan.Symbols.Where(s => s.Opened is not null).Select(s => s.Symbol));
    }

    [Theory]
    [InlineData("auto", 3, false)]
    [InlineData("auto", 5, true)]
    [InlineData("on", 1, true)]
    [InlineData("off", 24, false)]
    public void Fan_out_is_on_above_the_threshold_in_auto_and_as_set_otherwise(string mode, int symbols, bool fansOut)
    {
        var options = new ScalpingOptions { FanOut = Enum.Parse<FanOutMode>(mode, ignoreCase: true) };
        Assert.Equal(4, options.FanOutAbove);
        Assert.Equal(fansOut, options.FansOut(symbols));
    }

    /// <summary>host.json is read as the Functions host reads it: at most four messages at once per instance (AI:MaxConcurrency).</summary>
    [Fact]
    public void Host_json_lets_one_instance_work_on_as_many_symbols_as_it_may_ask_the_brain_about()
    {
        var settings = QueueHostSettings.Read(Path.Combine(AppContext.BaseDirectory, "host.json"));
        Assert.Equal(new QueueHostSettings(2, 2, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), 3, "base64"), settings);
        Assert.Equal(new BrainOptions().MaxConcurrency, settings.MostAtOnce);
    }

    private TestApp FannedOut(out string queueName) => TestApp.Create(azurite, Start, Settings(out queueName));

    private static Dictionary<string, string?> Settings(out string queueName)
    {
        queueName = AzuriteFixture.UniqueQueue();
        return NeuraTrade.Cli.Bench.ReplayUniverse.WithBtcAccount(new Dictionary<string, string?>
        {
            ["Scalping:Symbols"] = string.Join(',', Symbols),
            ["Scalping:FanOut"] = "on",
            [ScalpingOptions.ScanQueueSetting] = queueName,
        });
    }

    private static ScalpingFunctions Function(TestApp app) => ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);

    private QueueClient Client(string name)
    {
        var client = new QueueClient(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        client.CreateIfNotExists();
        return client;
    }

    private static async Task<List<QueueMessage>> ReceiveAllAsync(QueueClient queue)
    {
        var all = new List<QueueMessage>();
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } batch)
        {
            all.AddRange(batch);
        }

        return all;
    }

    private static async Task AssertDecisionsAsync(TestApp app, int each)
    {
        foreach (var symbol in Symbols)
        {
            Assert.Equal(each, (await app.Get<IDecisionStore>().GetLatestAsync(symbol, 10, CancellationToken.None)).Count);
        }
    }
}
