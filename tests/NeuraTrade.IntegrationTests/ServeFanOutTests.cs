using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using NeuraTrade.Cli.Bench;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Storage;
using NeuraTrade.TestSupport;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Two <c>neuratrade serve</c> processes (two OS processes, as two Functions instances) on one Azurite, one table prefix
/// and one fan-out queue, the ten bundled X/BTC markets fanned out every 20 s, a loopback LLM that answers HOLD. Each
/// process runs its timer (one of them dispatches each interval: the interval claim) and its queue trigger. Over several
/// intervals, read from both processes' scan events (which carry the interval) and the decision journal: every symbol is
/// scanned exactly once per interval, none twice, none missed, and both processes did some of the work.
/// </summary>
/// <remarks>
/// Who takes which message is up to the queue, so "both worked" is made deterministic by the LLM: it holds its first
/// answers until five requests wait at once. One process runs at most four messages at once (host.json: batchSize 2 +
/// newBatchThreshold 2) and asks at most AI:MaxConcurrency (4) at once, so the first interval can only go on once the
/// second process took messages too. The processes start with scalping toggled off (they dispatch nothing) and the test
/// toggles it on once both listen, so a slow start of the second process cannot leave the first alone with an interval.
/// </remarks>
[Collection(AzuriteCollection.Name)]
public sealed partial class ServeFanOutTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] Symbols = ["ADA/BTC", "DASH/BTC", "ETC/BTC", "ETH/BTC", "LTC/BTC", "NXT/BTC", "TRX/BTC", "XLM/BTC", "XMR/BTC", "ZEC/BTC"];
    private readonly ManualResetEventSlim _open = new(false);
    private LoopbackChatServer _llm = null!;
    private int _waiting;
    private int _mostWaiting;

    public async Task InitializeAsync() =>
        _llm = await LoopbackChatServer.StartAsync(
            body =>
            {
                var symbol = DecisionAnswers.Symbol(DecisionAnswers.Prompt(body));
                var waiting = Interlocked.Increment(ref _waiting);
                InterlockedMax(ref _mostWaiting, waiting);
                if (waiting >= 5)
                {
                    _open.Set();
                }

                try
                {
                    _open.Wait(TimeSpan.FromMinutes(3));
                    return (OpenAiWire.Text(Hold(symbol)), "stop");
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                }
            },
            promptTokens: 100,
            completionTokens: 50);

    public async Task DisposeAsync()
    {
        _open.Set();
        await _llm.DisposeAsync();
        _open.Dispose();
    }

    [Fact]
    public async Task Two_serve_processes_on_one_Azurite_scan_every_symbol_exactly_once_per_interval_and_share_the_work()
    {
        var prefix = AzuriteFixture.UniquePrefix();
        var tables = new TableStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TableStorageOptions { TablePrefix = prefix }));
        await new TableScalpingStateStore(tables, Options.Create(new ScalpingOptions()), TimeProvider.System).UpdateAsync(s => s with { Active = false }, CancellationToken.None);

        var settings = Settings(prefix, AzuriteFixture.UniqueQueue());
        var starting = new[] { ServeProcess.StartAsync(settings), ServeProcess.StartAsync(settings) };
        await using var first = await starting[0];
        await using var second = await starting[1];
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        await ToggleAsync(http, first, true);

        // At least two intervals queued and scanned in full; then no more entries, and every queued interval settles.
        await PollAsync(() => Read(first, second).Complete.Count >= 2, "two intervals scanned in full");
        await ToggleAsync(http, first, false);
        await PollAsync(() => Read(first, second) is var r && r.Queued.All(i => Symbols.All(s => r.Settled(i, s))), "every queued interval settled");
        var run = Read(first, second);
        using var statusResponse = await http.GetAsync(new Uri(first.Address, "/api/v1/ai/scalping/status"));
        var status = JsonDocument.Parse(await statusResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("fan_out");
        await first.DisposeAsync();
        await second.DisposeAsync();

        // One dispatcher per interval, whatever the number of timers.
        Assert.All(run.Dispatches.GroupBy(d => d.Interval), g => Assert.Single(g));
        Assert.True(run.Queued.Count >= 2, $"{run.Queued.Count} intervals were fanned out to the symbols");

        // Every queued interval: each symbol scanned exactly once across the two processes, nothing dropped.
        foreach (var interval in run.Queued)
        {
            foreach (var symbol in Symbols)
            {
                Assert.Single(run.Scans, s => s.Interval == interval && s.Symbol == symbol);
            }
        }

        Assert.All(run.Scans, s => Assert.Contains(s.Interval, run.Queued));
        Assert.Empty(run.Drops);

        // Both processes scanned: five LLM requests waited at once, more than one process can have in flight.
        Assert.True(_open.IsSet, $"at most {_mostWaiting} LLM requests waited at once");
        Assert.True(_mostWaiting >= 5);
        var (byFirst, bySecond) = (first.Lines.Count(l => ScanLine().IsMatch(l)), second.Lines.Count(l => ScanLine().IsMatch(l)));
        output.WriteLine($"{run.Queued.Count} intervals queued, {run.Scans.Count} scans: {byFirst} by the first process, {bySecond} by the second; at most {_mostWaiting} LLM requests at once");
        Assert.True(byFirst > 0 && bySecond > 0, $"scans: {byFirst} by the first process, {bySecond} by the second");

        // The journal agrees: one decision per scan that ran while scalping was on (a scan after the toggle-off decides nothing).
        var journal = new TableDecisionStore(tables, TimeProvider.System);
        foreach (var symbol in Symbols)
        {
            var decided = run.Scans.Count(s => s.Symbol == symbol && !s.Outcome.StartsWith("skipped", StringComparison.Ordinal));
            Assert.True(decided >= 2, $"{symbol}: {decided} decisions");
            Assert.Equal(decided, (await journal.GetLatestAsync(symbol, 100, CancellationToken.None)).Count);
        }

        // The status (read after the last queued interval settled): each symbol's last scan is of the last queued interval.
        var last = run.Queued.Max()!;
        var views = status.GetProperty("symbols").EnumerateArray().ToList();
        Assert.Equal(Symbols, views.Select(v => v.GetProperty("symbol").GetString()));
        Assert.All(views, v => Assert.Equal((last, "scanned"), (v.GetProperty("last_scan").GetProperty("interval").GetString(), v.GetProperty("last_scan").GetProperty("outcome").GetString())));
        Assert.InRange(views.Select(v => v.GetProperty("last_scan").GetProperty("instance").GetString()).Distinct().Count(), 1, 2);
    }

    private static string Hold(string symbol) => new JsonObject
    {
        ["symbol"] = symbol,
        ["action"] = "hold",
        ["size_percent"] = 0,
        ["confidence"] = 0.5,
        ["reasoning"] = "fan-out test: hold",
        ["market_analysis"] = "n/a",
        ["risk_assessment"] = "n/a",
        ["invalidation"] = "n/a",
    }.ToJsonString();

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static async Task ToggleAsync(HttpClient http, ServeProcess host, bool enabled)
    {
        using var response = await http.PostAsJsonAsync(new Uri(host.Address, "/api/v1/ai/scalping/toggle"), new { enabled });
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Generous: the machine is shared; a 20 s interval and two process starts fit many times over.</summary>
    private static async Task PollAsync(Func<bool> done, string what)
    {
        for (var i = 0; i < 1500; i++)
        {
            if (done())
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"timed out waiting for: {what}");
    }

    /// <summary>The fan-out events of both processes' output (event ids 1051-1053), parsed.</summary>
    private static Run Read(params ServeProcess[] processes)
    {
        var lines = processes.SelectMany(p => p.Lines).ToList();
        var dispatches = lines.Select(l => DispatchLine().Match(l)).Where(m => m.Success)
            .Select(m => (Interval: m.Groups[1].Value, Queued: int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))).ToList();
        var scans = lines.Select(l => ScanLine().Match(l)).Where(m => m.Success)
            .Select(m => (Interval: m.Groups[1].Value, Symbol: m.Groups[2].Value, Outcome: m.Groups[3].Value)).ToList();
        var drops = lines.Select(l => DropLine().Match(l)).Where(m => m.Success)
            .Select(m => (Interval: m.Groups[1].Value, Symbol: m.Groups[2].Value, Reason: m.Groups[3].Value)).ToList();
        return new Run(dispatches, scans, drops);
    }

    // The X/BTC account settings (BTC quote, 100 BTC, BTC-sized minimums and limits) as the bench and the in-process tests use them.
    private Dictionary<string, string> Settings(string prefix, string queue) => ReplayUniverse.AsEnvironment(ReplayUniverse.WithBtcAccount(new()
    {
        ["Storage__ConnectionString"] = azurite.ConnectionString,
        ["Storage__TablePrefix"] = prefix,
        [ScalpingOptions.ScanQueueSetting] = queue,
        [ScalpingOptions.ScheduleSetting] = "*/20 * * * * *",
        ["Scalping__FanOut"] = "on",
        ["Scalping__Symbols"] = string.Join(',', Symbols),

        // Every scan asks the model (the economy screen would keep quiet markets from it, and with them the gate's requests).
        ["Scalping__Screen"] = "false",
        ["AI__Provider"] = "openai",
        ["AI__Model"] = "gpt-4o-mini",
        ["AI__ApiKey"] = "sk-test-not-a-real-key",
        ["AI__Endpoint"] = _llm.Endpoint,
        ["AI__RetryBaseDelayMs"] = "1",
        ["Exchange__ReplayDirectory"] = "data/candles",
        ["Scalping__PositionHoldTime"] = "00:05:00",
        ["RateLimits__PerMinute"] = "0",
    }));

    [GeneratedRegex(@"AI Scalping interval (\d{8}T\d{6}Z) fanned out: (\d+) symbols queued")]
    private static partial Regex DispatchLine();

    [GeneratedRegex(@"AI Scalping symbol scan (\d{8}T\d{6}Z) ([A-Z0-9]+/[A-Z0-9]+): (.*)$")]
    private static partial Regex ScanLine();

    [GeneratedRegex(@"AI Scalping symbol scan (\d{8}T\d{6}Z) ([A-Z0-9]+/[A-Z0-9]+) dropped: (.*)$")]
    private static partial Regex DropLine();

    private sealed record Run(
        IReadOnlyList<(string Interval, int Queued)> Dispatches,
        IReadOnlyList<(string Interval, string Symbol, string Outcome)> Scans,
        IReadOnlyList<(string Interval, string Symbol, string Reason)> Drops)
    {
        /// <summary>Intervals whose dispatcher queued every symbol (not those dispatched while scalping was off).</summary>
        public IReadOnlyList<string> Queued => [.. Dispatches.Where(d => d.Queued == Symbols.Length).Select(d => d.Interval).Distinct().Order(StringComparer.Ordinal)];

        public IReadOnlyList<string> Complete => [.. Queued.Where(i => Symbols.All(s => Scans.Any(x => x.Interval == i && x.Symbol == s)))];

        public bool Settled(string interval, string symbol) =>
            Scans.Any(s => s.Interval == interval && s.Symbol == symbol) || Drops.Any(d => d.Interval == interval && d.Symbol == symbol);
    }
}
