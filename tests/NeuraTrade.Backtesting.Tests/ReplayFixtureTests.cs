using System.Text.Json;
using System.Text.Json.Serialization;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// A replayed LLM backtest must not change when its hot path is made faster: the cassette under Fixtures/ was recorded
/// (by <see cref="VariedModel"/>) and the report and every proposal the brain returned were written before the
/// replay path was optimised. Replaying that cassette with today's code must find every request (the key, the
/// prompts and the request options are unchanged) and give the same report and proposals to the last character.
/// A deliberate change of what a run does (a trading rule, the prompt) rewrites the fixtures with
/// <c>NT_WRITE_REPLAY_FIXTURES=1 dotnet test --filter ReplayFixtureTests</c> (it records the cassette anew too) and says why in its commit.
/// </summary>
public sealed class ReplayFixtureTests
{
    private static readonly LlmEndpoint Endpoint = new("openai", "gpt-4o-mini", true);
    private static readonly JsonSerializerOptions ProposalJson = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    private static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    [Fact]
    public async Task A_replay_of_the_stored_cassette_gives_the_stored_report_and_proposals()
    {
        if (Environment.GetEnvironmentVariable("NT_WRITE_REPLAY_FIXTURES") == "1")
        {
            await WriteFixturesAsync();
        }

        using var replay = CassetteChatClient.Replay(Path.Combine(Fixtures, "replay.cassette.jsonl"));
        var (report, proposals) = await RunAsync(replay);

        Assert.Equal(0, replay.Misses);
        Assert.True(replay.Hits > 200);
        Assert.Equal(report.Metrics.Llm.Calls, replay.Hits);
        Assert.Equal(File.ReadAllText(Path.Combine(Fixtures, "replay.report.json")), BacktestJson.Serialize(report));
        Assert.Equal(File.ReadAllText(Path.Combine(Fixtures, "replay.proposals.json")), proposals);
    }

    /// <summary>500 candles of the bundled BTC/USDT 5m file.</summary>
    private static BacktestSettings Settings() => Bundled.Settings(
        new BacktestMarket("BTC/USDT", "5m", Bundled.Btc.Skip(3000).Take(500).ToArray()));

    private static async Task<(BacktestReport Report, string Proposals)> RunAsync(CassetteChatClient cassette)
    {
        var settings = Settings();
        var ledger = new InMemoryLlmUsageLedger();
        var clock = BacktestSessionFactory.ClockFor(settings);
        var brain = new RecordingBrain(BacktestBrains.Llm(cassette, Endpoint, new BrainOptions { Provider = "openai", Model = Endpoint.Model }, clock, ledger, anonymize: true));
        var report = await Bundled.RunAsync(settings, brain, clock: clock, ledger: ledger);
        return (report, JsonSerializer.Serialize(brain.Proposals, ProposalJson));
    }

    /// <summary>Records the cassette from the stand-in model and writes the report and proposals into the source folder's Fixtures/.</summary>
    private static async Task WriteFixturesAsync([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(source)!, "Fixtures");
        var cassette = Path.Combine(folder, "replay.cassette.jsonl");
        File.Delete(cassette);
        CassetteChatClient.EnsureHeader(cassette, Endpoint);
        using (var record = CassetteChatClient.Record(cassette, new VariedModel()))
        {
            await RunAsync(record);
        }

        using var replay = CassetteChatClient.Replay(cassette);
        var (report, proposals) = await RunAsync(replay);
        File.WriteAllText(Path.Combine(folder, "replay.report.json"), BacktestJson.Serialize(report));
        File.WriteAllText(Path.Combine(folder, "replay.proposals.json"), proposals);
        Directory.CreateDirectory(Fixtures);
        foreach (var name in new[] { "replay.cassette.jsonl", "replay.report.json", "replay.proposals.json" })
        {
            File.Copy(Path.Combine(folder, name), Path.Combine(Fixtures, name), overwrite: true);
        }
    }

    /// <summary>Keeps every proposal the brain returns, in order, without its latency (wall time, measured).</summary>
    private sealed class RecordingBrain(ITradingBrain inner) : ITradingBrain
    {
        public List<TradeProposal> Proposals { get; } = [];

        public string Model => inner.Model;

        public async Task<TradeProposal> ProposeAsync(BrainRequest request, CancellationToken cancellationToken)
        {
            var proposal = await inner.ProposeAsync(request, cancellationToken);
            Proposals.Add(proposal.Trace is { } trace ? proposal with { Trace = trace with { LatencyMs = 0 } } : proposal);
            return proposal;
        }

        public Task<MarketAnalysis> AnalyzeAsync(MarketSnapshot market, CancellationToken cancellationToken) => inner.AnalyzeAsync(market, cancellationToken);
    }
}
