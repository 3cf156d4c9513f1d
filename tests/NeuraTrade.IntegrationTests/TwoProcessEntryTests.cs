using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Storage;
using NeuraTrade.TestSupport;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Two <c>neuratrade serve</c> processes (two OS processes, as two Functions instances would be) on one Azurite and one
/// table prefix, both asking a loopback LLM that answers BUY for every symbol every time. A burst of concurrent
/// <c>execute:true</c> decisions hits both while their timers scan every two seconds. The entry admission in Table
/// Storage must hold the hard limits across the processes: never more than <c>Scalping:MaxPositions</c> open, never two
/// positions on one symbol.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TwoProcessEntryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    // Three bundled replay markets over the same days; the paper account is funded in their quote currency, BTC.
    private static readonly string[] Symbols = ["ETH/BTC", "LTC/BTC", "XMR/BTC"];
    private readonly ConcurrentBag<string> _asked = [];
    private LoopbackChatServer _llm = null!;

    public async Task InitializeAsync() =>
        _llm = await LoopbackChatServer.StartAsync(
            body =>
            {
                var prompt = DecisionAnswers.Prompt(body);
                var symbol = DecisionAnswers.Symbol(prompt);
                _asked.Add(symbol);
                return (OpenAiWire.Text(DecisionAnswers.BuyAtAsk(symbol, DecisionAnswers.Ask(prompt), "burst test: always buy")), "stop");
            },
            promptTokens: 100,
            completionTokens: 50);

    public async Task DisposeAsync() => await _llm.DisposeAsync();

    /// <remarks>
    /// Each process serializes its own entries, so a breach needs the two processes to enter at the same moment: with one
    /// slot, the burst's first pair already does (checked by disabling the admission: this test then fails); with two, the
    /// symbols must collide as well.
    /// </remarks>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_burst_of_executed_decisions_and_scans_in_two_processes_never_breaks_max_positions_or_one_per_symbol(int maxPositions)
    {
        var prefix = AzuriteFixture.UniquePrefix();
        await using var first = await ServeProcess.StartAsync(Settings(prefix, maxPositions));
        await using var second = await ServeProcess.StartAsync(Settings(prefix, maxPositions));
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        // 24 requests, 8 per symbol, half to each process, all released at once.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var burst = Enumerable.Range(0, 24).Select(async i =>
        {
            await go.Task;
            var host = i % 2 == 0 ? first : second;
            using var response = await http.PostAsJsonAsync(new Uri(host.Address, "/api/v1/ai/decision"), new { symbol = Symbols[i % Symbols.Length], execute = true });
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }).ToList();
        go.SetResult();
        var answers = await Task.WhenAll(burst);

        // Let the timers scan a few more times against the full book, then stop both processes before reading.
        await Task.Delay(TimeSpan.FromSeconds(5));
        await first.DisposeAsync();
        await second.DisposeAsync();

        var tables = new TableStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TableStorageOptions { TablePrefix = prefix }));
        var store = new TablePositionStore(tables);
        // Positions carry the replay's market time: read the days from the market instant the shared anchor shows.
        var anchor = (await new TableReplayAnchorStore(tables).GetAsync(CancellationToken.None))!.Anchor;
        var today = DateOnly.FromDateTime(anchor.MarketAt(DateTimeOffset.UtcNow).UtcDateTime);
        var parts = (await store.GetOpenAsync(CancellationToken.None))
            .Concat(await store.GetClosedAsync(today, CancellationToken.None))
            .Concat(await store.GetClosedAsync(today.AddDays(-1), CancellationToken.None))
            .ToList();

        // One interval per decision (an exit that filled in parts leaves several rows): from its fill to its last close.
        var held = parts.GroupBy(p => p.DecisionId)
            .Select(g => (g.First().Symbol, From: g.Min(p => p.OpenedAt), To: g.Any(p => p.IsOpen) ? DateTimeOffset.MaxValue : g.Max(p => p.ClosedAt!.Value)))
            .ToList();
        Assert.True(held.Count >= maxPositions, $"the burst should fill the book: {held.Count} positions were opened");
        Assert.InRange(MostAtOnce(held), 1, maxPositions);
        foreach (var symbol in Symbols)
        {
            Assert.InRange(MostAtOnce(held.Where(h => h.Symbol == symbol).ToList()), 0, 1);
        }

        // What the API answered agrees: a decision was executed only where a position came of it; every other one is a hold.
        var executed = answers.Where(a => a.TryGetProperty("executed_at", out var at) && at.ValueKind == JsonValueKind.String).Select(a => a.GetProperty("id").GetString()).ToList();
        Assert.All(executed, id => Assert.Contains(parts, p => p.DecisionId == id));
        Assert.All(answers.Where(a => !executed.Contains(a.GetProperty("id").GetString())), a => Assert.Equal("hold", a.GetProperty("action").GetString()));
        Assert.True(_asked.Count >= answers.Length, $"the LLM was asked {_asked.Count} times");
    }

    /// <summary>The most intervals open at one instant (a close at the same instant as an open frees its slot first).</summary>
    private static int MostAtOnce(IReadOnlyList<(string Symbol, DateTimeOffset From, DateTimeOffset To)> held)
    {
        var events = held.SelectMany(h => new[] { (At: h.From, Delta: 1), (At: h.To, Delta: -1) }).OrderBy(e => e.At).ThenBy(e => e.Delta);
        int now = 0, most = 0;
        foreach (var e in events)
        {
            now += e.Delta;
            most = Math.Max(most, now);
        }

        return most;
    }

    // The X/BTC account settings (BTC quote, 100 BTC, BTC-sized minimums and limits) as the bench and the in-process tests use them.
    private Dictionary<string, string> Settings(string prefix, int maxPositions) => ReplayUniverse.AsEnvironment(ReplayUniverse.WithBtcAccount(new()
    {
        ["Storage__ConnectionString"] = azurite.ConnectionString,
        ["Storage__TablePrefix"] = prefix,
        ["AI__Provider"] = "openai",
        ["AI__Model"] = "gpt-4o-mini",
        ["AI__ApiKey"] = "sk-test-not-a-real-key",
        ["AI__Endpoint"] = _llm.Endpoint,
        ["AI__RetryBaseDelayMs"] = "1",
        ["Scalping__Symbols"] = string.Join(',', Symbols),
        ["Scalping__MaxPositions"] = maxPositions.ToString(CultureInfo.InvariantCulture),
        ["ScalpingScanSchedule"] = "*/2 * * * * *",

        // The burst of executed decisions all comes from 127.0.0.1: the per-client rate limit is tested on its own (RateLimitTests).
        ["RateLimits__PerMinute"] = "0",

        // The X/BTC markets are in the bundled 5m folder (the default replay holds BTC/USDT minutes only).
        ["Exchange__ReplayDirectory"] = "data/candles",
        ["Scalping__PositionHoldTime"] = "00:05:00",
    }));
}
