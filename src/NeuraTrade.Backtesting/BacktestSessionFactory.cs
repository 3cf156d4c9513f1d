using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting;

/// <summary>
/// Wires the live engine for a backtest: <see cref="PaperExchange"/> (reloaded now and then, <see cref="CompactingPaperExchange"/>) over <see cref="BacktestMarketData"/>, the
/// same <see cref="DecisionMaker"/>, <see cref="EntryPipeline"/> (<see cref="DecisionValidator"/>, AI review off, <see cref="RiskGate"/>,
/// <see cref="TradeDesk"/>) and <see cref="ScalpingEngine"/> as live, in-memory stores and a <see cref="ManualClock"/>. Only the stores and the
/// clock differ from paper trading. Data that cannot serve the brain's timeframe (<see cref="BacktestMarketData.Unservable"/>)
/// is refused here, before anything runs.
/// </summary>
public static class BacktestSessionFactory
{
    public static BacktestSession Create(
        BacktestSettings settings,
        ITradingBrain brain,
        ScalpingOptions scalping,
        BrainOptions brainOptions,
        PaperExchangeOptions exchangeOptions,
        InMemoryLlmUsageLedger ledger,
        ManualClock clock)
    {
        // AI:Timeframe not set: the brain reads the data's own candles (the coarsest, when markets differ: it can be made of the others).
        brainOptions.Timeframe = DataTimeframe(settings.Markets, brainOptions.Timeframe);
        if (BacktestMarketData.Unservable(settings.Markets, brainOptions.CandleTimeframe) is { } unservable)
        {
            throw new InvalidOperationException(unservable);
        }

        scalping.Symbols = [.. settings.Markets.Select(m => m.Symbol)];

        // The rules brain judges a target's costs as the session's risk gate does (one cost model per run), and sizes its
        // barriers to the run's hold in the brain's candles.
        brain = brain is RulesBrain rules ? rules.For(scalping.Costs, HoldHorizon.Candles(scalping.PositionHoldTime, brainOptions.CandleTimeframe)) : brain;
        if (exchangeOptions.StartingBalances.Count > 0)
        {
            throw new InvalidOperationException("Exchange:StartingBalances funds other currencies of a paper account; a backtest's account holds only Exchange:StartingBalance of its quote currency (leave StartingBalances empty)");
        }

        exchangeOptions.StartingBalance = settings.StartingBalance;
        exchangeOptions.QuoteCurrency = settings.QuoteCurrency;
        var scalpingOptions = Options.Create(scalping);
        var brainOpts = Options.Create(brainOptions);
        var exchangeOpts = Options.Create(exchangeOptions);

        var decisions = new InMemoryDecisionStore();
        var positions = new InMemoryPositionStore();
        var state = new InMemoryScalpingStateStore(ScalpingState.Initial(true, clock.GetUtcNow()));
        var account = new InMemoryPaperAccountStore();
        var exchange = new CompactingPaperExchange(new BacktestMarketData(settings.Markets, exchangeOpts, clock), account, exchangeOpts, clock);
        var claims = new InMemoryScanClaimStore();
        var admission = new InMemoryEntryAdmission(positions);
        var riskGate = new RiskGate(scalpingOptions);
        // Outcomes in memory, recorded by the same code as the app's (the desk and the pipeline call the recorder).
        var outcomes = new InMemoryOutcomeStore();
        var recorder = new OutcomeRecorder(outcomes, decisions);
        var desk = new TradeDesk(exchange, riskGate, decisions, positions, state, claims, scalpingOptions, clock, NullLogger<TradeDesk>.Instance, admission, new Core.Trading.AccountValuation(exchange, settings.QuoteCurrency), outcomes: recorder);
        var entries = new EntryPipeline(exchange, new DecisionValidator(brainOpts), new EntryReview(null), desk, new PortfolioReader(exchange, positions, state, clock), decisions, brainOpts, NullLogger<EntryPipeline>.Instance, recorder);
        var maker = new DecisionMaker(brain, entries, decisions, brainOpts, clock, NullLogger<DecisionMaker>.Instance, new OutcomeLearning(outcomes), new AdaptiveConfidence(outcomes, brainOpts, clock));
        // The live books check over the session's account, once a market day (the run's own check is at the end, BacktestBooks).
        var books = new LiveBooks(exchange, positions, new InMemoryAccountBaselineStore(), scalpingOptions, clock, NullLogger<LiveBooks>.Instance, TimeSpan.FromDays(1));
        var engine = new ScalpingEngine(exchange, maker, desk, entries, riskGate, positions, state, claims, books, scalpingOptions, brainOpts, clock, NullLogger<ScalpingEngine>.Instance);
        return new BacktestSession(engine, desk, exchange, clock, scalping, brain.Model, brain, decisions, positions, state, account, ledger, admission)
        {
            BrainTimeframe = brainOptions.CandleTimeframe,
            Outcomes = outcomes,
            Recorder = recorder,
        };
    }

    /// <summary><paramref name="configured"/> (<c>AI:Timeframe</c>) when set, else the coarsest timeframe of <paramref name="markets"/>.</summary>
    public static string DataTimeframe(IEnumerable<BacktestMarket> markets, string? configured) =>
        !string.IsNullOrWhiteSpace(configured) ? configured.Trim() : Timeframes.Coarsest(markets.Select(m => m.Timeframe)) ?? Timeframes.LiveDefault;

    /// <summary>The clock a run over <paramref name="settings"/> starts at: the first step's open.</summary>
    public static ManualClock ClockFor(BacktestSettings settings)
    {
        var timeline = settings.Timeline();
        return new ManualClock(timeline.Count > 0 ? timeline[0] : DateTimeOffset.UnixEpoch);
    }
}
