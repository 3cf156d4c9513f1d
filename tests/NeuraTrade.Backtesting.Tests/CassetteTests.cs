using Microsoft.Extensions.AI;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Backtesting.Tests;

public sealed class CassetteTests : IDisposable
{
    // A livelier stretch than early January 2023, where the economy screen would leave the model almost nothing to answer.
    private static readonly Candle[] Span = Bundled.Btc.Skip(3000).Take(400).ToArray();
    private static readonly LlmEndpoint Endpoint = new("openai", "gpt-4o-mini", true);
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"nt-cassette-{Guid.NewGuid():N}.jsonl");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task A_replayed_llm_backtest_is_identical_to_the_recording_and_calls_no_model()
    {
        var model = new StubModel();
        var recorded = await RunAsync(CassetteChatClient.Record(_path, model), anonymize: true);
        var callsWhenRecorded = model.Calls;

        using var replay1 = CassetteChatClient.Replay(_path);
        using var replay2 = CassetteChatClient.Replay(_path);
        var first = await RunAsync(replay1, anonymize: true);
        var second = await RunAsync(replay2, anonymize: true);

        Assert.True(recorded.Metrics.Llm.Calls > 100, $"calls {recorded.Metrics.Llm.Calls}, screened {recorded.Metrics.Screened}");
        Assert.True(recorded.Metrics.Trades > 0);
        Assert.True(recorded.Metrics.Llm.CostUsd > 0m);
        Assert.Equal(callsWhenRecorded, model.Calls);
        Assert.Equal(0, replay1.Misses);
        Assert.Equal(BacktestJson.Serialize(recorded), BacktestJson.Serialize(first));
        Assert.Equal(BacktestJson.Serialize(first), BacktestJson.Serialize(second));
    }

    [Fact]
    public async Task A_replay_of_requests_never_recorded_misses_and_never_calls_anything()
    {
        await RunAsync(CassetteChatClient.Record(_path, new StubModel()), anonymize: true);
        using var replay = CassetteChatClient.Replay(_path);
        var report = await RunAsync(replay, anonymize: false);
        Assert.True(replay.Misses > 0);
        Assert.Equal(0, report.Metrics.Trades);
    }

    [Fact]
    public async Task Anonymized_prompts_show_no_symbol_no_real_date_and_no_real_price()
    {
        var model = new StubModel();
        await RunAsync(CassetteChatClient.Record(_path, model), anonymize: true);
        var text = string.Join("\n", model.Prompts);
        Assert.DoesNotContain("BTC", text, StringComparison.Ordinal);
        Assert.DoesNotContain("USDT", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"2023-\d\d-\d\d", text);
        Assert.Matches(@"2000-01-01T", text);
        Assert.All(Span.Skip(60).Take(50), c => Assert.DoesNotContain(c.Close.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal));
        Assert.Contains(AnonymizingBrain.Symbol, text, StringComparison.Ordinal);

        var plain = new StubModel();
        File.Delete(_path);
        await RunAsync(CassetteChatClient.Record(_path, plain), anonymize: false);
        Assert.Contains("BTC/USDT", string.Join("\n", plain.Prompts), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_covers_messages_and_model_settings()
    {
        ChatMessage[] messages = [new(ChatRole.System, "s"), new(ChatRole.User, "u")];
        var key = CassetteChatClient.Key(messages, new ChatOptions { ModelId = "m", Temperature = 0f });
        Assert.Equal(key, CassetteChatClient.Key([new(ChatRole.System, "s"), new(ChatRole.User, "u")], new ChatOptions { ModelId = "m", Temperature = 0f }));
        Assert.NotEqual(key, CassetteChatClient.Key(messages, new ChatOptions { ModelId = "m", Temperature = 0.5f }));
        Assert.NotEqual(key, CassetteChatClient.Key(messages, new ChatOptions { ModelId = "n", Temperature = 0f }));
        Assert.NotEqual(key, CassetteChatClient.Key([new(ChatRole.System, "s"), new(ChatRole.User, "v")], new ChatOptions { ModelId = "m", Temperature = 0f }));
        Assert.Equal(64, key.Length);
    }

    private static async Task<BacktestReport> RunAsync(IChatClient cassette, bool anonymize)
    {
        var settings = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span));
        var ledger = new InMemoryLlmUsageLedger();
        var clock = NeuraTrade.Backtesting.BacktestSessionFactory.ClockFor(settings);
        var brain = BacktestBrains.Llm(cassette, Endpoint, new BrainOptions { Provider = "openai", Model = Endpoint.Model }, clock, ledger, anonymize);
        return await Bundled.RunAsync(settings, brain, clock: clock, ledger: ledger);
    }
}
