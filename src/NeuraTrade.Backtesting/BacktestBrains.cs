using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Tools;
using NeuraTrade.Llm;
using NeuraTrade.Llm.Cassettes;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The LLM brain as a backtest runs it: the live <see cref="LlmBrain"/> and pipeline (token budget, resilience)
/// over a <see cref="CassetteChatClient"/> (resilience on wall time), no tools (their answers would show real prices and names), and the
/// market anonymized unless asked otherwise.
/// </summary>
public static class BacktestBrains
{
    public static ITradingBrain Llm(IChatClient cassette, LlmEndpoint endpoint, BrainOptions options, TimeProvider time, ILlmUsageLedger ledger, bool anonymize)
    {
        // Timeouts and retry delays are about the real network, so they run on the system clock; the brain, its
        // ledger rows and the daily budget run on the backtest clock.
        var chat = LlmComposition.BuildPipeline(cassette, options, TimeProvider.System);
        ITradingBrain brain = new LlmBrain(chat, new ToolRegistry(false), endpoint, ledger, Options.Create(options), time, NullLogger<LlmBrain>.Instance);
        return anonymize ? new AnonymizingBrain(brain) : brain;
    }
}
