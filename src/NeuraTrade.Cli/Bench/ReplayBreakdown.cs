using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Llm;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// Where one replayed decision's time goes: each step of the LLM brain's path timed alone over requests kept from
/// the measured replay (µs and bytes allocated per decision), in the order a decision takes them. The steps overlap
/// on purpose: "pipeline" includes "cassette", which includes "key"; "whole brain" is all of them.
/// </summary>
internal static class ReplayBreakdown
{
    public static async Task<IReadOnlyList<(string Step, double Microseconds, double Bytes)>> MeasureAsync(
        IReadOnlyList<BrainRequest> requests, CassetteChatClient cassette, LlmEndpoint endpoint, BrainOptions options)
    {
        var anonymized = requests.Select(Anonymize).ToArray();
        var prompts = anonymized.Select(r => PromptBuilder.ForDecision(r, options)).ToArray();
        var chatOptions = new ChatOptions
        {
            ModelId = endpoint.Model,
            Temperature = options.Temperature,
            MaxOutputTokens = options.MaxTokens,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(DecisionJson.Schema, "trading_decision"),
        };
        var pipeline = LlmComposition.BuildPipeline(cassette, options, TimeProvider.System);
        var texts = new string[prompts.Length];
        for (var i = 0; i < prompts.Length; i++)
        {
            texts[i] = (await cassette.GetResponseAsync(prompts[i], chatOptions)).Text;
        }

        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var plain = BacktestBrains.Llm(cassette, endpoint, options, clock, new InMemoryLlmUsageLedger(), anonymize: false);
        var whole = BacktestBrains.Llm(cassette, endpoint, options, clock, new InMemoryLlmUsageLedger(), anonymize: true);
        var n = requests.Count;
        return
        [
            Time("anonymize the market (AnonymizingBrain)", n, i => Anonymize(requests[i])),
            Time("build the prompt (PromptBuilder.ForDecision)", n, i => PromptBuilder.ForDecision(anonymized[i], options)),
            Time("prompt hash for the journal (PromptBuilder.Hash)", n, i => PromptBuilder.Hash(prompts[i])),
            Time("response format per call (ChatResponseFormat.ForJsonSchema)", n, _ => ChatResponseFormat.ForJsonSchema(DecisionJson.Schema, "trading_decision")),
            Time("cassette key (CassetteChatClient.Key)", n, i => CassetteChatClient.Key(prompts[i], chatOptions)),
            await TimeAsync("cassette call (key, lookup, copy of the response)", n, i => cassette.GetResponseAsync(prompts[i], chatOptions)),
            await TimeAsync("pipeline call (tool loop, token budget, Polly, cassette)", n, i => pipeline.GetResponseAsync(prompts[i], chatOptions)),
            Time("parse the decision (DecisionJson.TryRead)", n, i => DecisionJson.TryRead(texts[i], AnonymizingBrain.Symbol, endpoint.Model, out _, out _)),
            await TimeAsync("LlmBrain.ProposeAsync (prompt, pipeline, parse, ledger)", n, i => plain.ProposeAsync(anonymized[i], CancellationToken.None)),
            await TimeAsync("whole replayed decision (anonymizing brain)", n, i => whole.ProposeAsync(requests[i], CancellationToken.None)),
        ];
    }

    public static string Format((string Step, double Microseconds, double Bytes) row) =>
        string.Create(CultureInfo.InvariantCulture, $"  {row.Step,-62} {row.Microseconds,8:0.0} µs {row.Bytes,9:0} B");

    private static BrainRequest Anonymize(BrainRequest request) =>
        request with { Market = AnonymizingBrain.Anonymize(request.Market).Market, Portfolio = request.Portfolio with { QuoteCurrency = MarketSymbol.Quote(AnonymizingBrain.Symbol) } };

    private static (string, double, double) Time<T>(string step, int n, Func<int, T> run)
    {
        GC.Collect();
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            GC.KeepAlive(run(i));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (step, elapsed.TotalMicroseconds / n, (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / n);
    }

    private static async Task<(string, double, double)> TimeAsync<T>(string step, int n, Func<int, Task<T>> run)
    {
        GC.Collect();
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            GC.KeepAlive(await run(i));
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (step, elapsed.TotalMicroseconds / n, (double)(GC.GetTotalAllocatedBytes(precise: true) - bytes) / n);
    }
}
