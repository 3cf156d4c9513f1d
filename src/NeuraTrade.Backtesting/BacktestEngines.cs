using NeuraTrade.Core.Brain;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting;

/// <summary>
/// Which loop runs a backtest session: <c>full</c> drives the live engine candle by candle (<see cref="BacktestRunner"/>),
/// <c>fast</c> runs the rules brain through <see cref="FastRulesRunner"/>, and <c>auto</c> takes the fast path whenever
/// it can (the rules brain, settings it supports) and the full engine otherwise. Both give identical reports.
/// </summary>
public static class BacktestEngines
{
    public const string Auto = "auto";
    public const string Full = "full";
    public const string Fast = "fast";

    public static IReadOnlyList<string> Names { get; } = [Auto, Full, Fast];

    /// <summary>The loop <paramref name="engine"/> resolves to for this session: <see cref="Full"/> or <see cref="Fast"/>; throws when fast was asked and cannot run.</summary>
    public static string Resolve(string engine, BacktestSession session, BacktestSettings settings, BrainOptions brainOptions)
    {
        var unsupported = FastRulesRunner.Unsupported(settings, brainOptions, session.BrainModel);
        return engine switch
        {
            Full => Full,
            Fast when unsupported is not null => throw new InvalidOperationException($"--engine fast: {unsupported}; use --engine full or auto"),
            Fast => Fast,
            Auto => unsupported is null ? Fast : Full,
            _ => throw new ArgumentException($"unknown engine '{engine}' (auto, full or fast)", nameof(engine)),
        };
    }

    public static async Task<BacktestRun> RunAsync(
        string engine,
        BacktestSession session,
        BacktestSettings settings,
        BrainOptions brainOptions,
        PaperExchangeOptions exchangeOptions,
        IProgress<BacktestProgress>? progress,
        CancellationToken stopping)
    {
        if (Resolve(engine, session, settings, brainOptions) == Full)
        {
            return await new BacktestRunner(session, settings).RunAsync(progress, stopping);
        }

        var fast = new FastRulesRunner(session, settings, brainOptions, exchangeOptions);
        return await Task.Run(() => fast.RunAsync(progress, stopping), CancellationToken.None);
    }
}
