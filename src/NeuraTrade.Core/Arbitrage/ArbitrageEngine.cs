using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>What one arbitrage scan decided: the journaled decision, the scan it judged, and the outcome when it executed.</summary>
public sealed record ArbitrageRun(TradingDecision Decision, ArbitrageScan Scan, ArbitrageOutcome? Outcome);

/// <summary>
/// The arbitrage's one use case, for the timer and the HTTP decision alike: read every venue's book and balances
/// (<see cref="ArbitrageDesk.ScanAsync"/>); when no pair clears the threshold, a HOLD with the best net edge, journaled without
/// asking the brain (like the scalper's pre-filters); else ask the brain (strategy arbitrage, the scan in the request), check
/// its answer (<see cref="Check"/>), take the exclusive admission lease (its own slot: no scalping position slot), execute
/// both legs through the desk (whose account gate is <see cref="ArbitrageAccountGate"/>), store the outcome and journal the
/// decision (strategy arbitrage) with the realized profit.
/// </summary>
public sealed class ArbitrageEngine(
    ArbitrageDesk desk,
    ITradingBrain brain,
    DecisionValidator validator,
    IDecisionStore journal,
    IArbitrageStore store,
    IScalpingStateStore account,
    IEntryAdmission admission,
    IMarketReplay replay,
    IOptions<BrainOptions> brainOptions,
    TimeProvider time,
    ILogger<ArbitrageEngine> logger)
{
    /// <summary>The admission key of an arbitrage (one at a time across processes; never a scalping symbol).</summary>
    public const string AdmissionKey = "arbitrage";

    /// <summary>How long an admission holds before it lapses if its holder dies (both legs take well under this).</summary>
    public static readonly TimeSpan AdmissionLease = TimeSpan.FromMinutes(2);

    /// <summary>The base asset every venue trades (the HTTP decision's symbol must name it).</summary>
    public string Asset => MarketSymbol.Base(desk.Venues[0].Symbol);

    /// <summary>
    /// The timer's scan: nothing but a log line while the arbitrage is toggled off or its replay has ended (without
    /// <c>Exchange:ReplayLoop</c>); else one scan that executes what it decides.
    /// </summary>
    public async Task<ArbitrageRun?> RunScheduledAsync(CancellationToken cancellationToken)
    {
        var state = await store.GetStateAsync(cancellationToken);
        if (!state.Enabled)
        {
            logger.LogDebug(new EventId(4601, "ArbitrageOff"), "Arbitrage is off ({Reason}): no scan", state.OffReason ?? ArbitrageAccountGate.ToggledOff);
            return null;
        }

        if (replay.Current is { Finished: true } ended && !await replay.RestartAsync(cancellationToken))
        {
            logger.LogInformation(new EventId(4602, "ArbitrageReplayEnded"), "The arbitrage venues' replay ended at {End:O} (Exchange:ReplayLoop is off): no scan", ended.DataEnd);
            return null;
        }

        return await RunAsync(DecisionSource.Scan, execute: true, cancellationToken);
    }

    /// <summary>One scan, decided and journaled; executed when <paramref name="execute"/> (the timer, or an HTTP decision asking it).</summary>
    public async Task<ArbitrageRun> RunAsync(DecisionSource source, bool execute, CancellationToken cancellationToken)
    {
        var (scan, books) = await desk.ScanAsync(cancellationToken);
        var at = time.GetUtcNow();
        var id = EntryPipeline.DecisionId(at);
        var market = Market(scan, books, at);
        TradingDecision decision;
        ArbitrageOutcome? outcome = null;
        if (scan.Trade is null)
        {
            decision = Skip(id, at, source, market, scan);
        }
        else
        {
            var proposal = await AskAsync(market, scan, books, source, cancellationToken);
            (decision, var pair) = Check(validator, brainOptions.Value.MinConfidence, proposal, scan, market, source, id, at);
            if (pair is not null && execute)
            {
                (decision, outcome) = await ExecuteAsync(decision, pair, at, cancellationToken);
            }
        }

        await journal.SaveAsync(decision, cancellationToken);
        await store.RecordScanAsync(at, Summary(decision, scan, outcome), scan.Best?.TopNetEdgePercent, cancellationToken);
        logger.LogInformation(
            new EventId(4603, "ArbitrageDecision"), "Arbitrage decision {DecisionId} {Action} best edge {BestEdge}% outcome {Outcome} profit {Profit}",
            decision.Id, decision.Action, scan.Best?.TopNetEdgePercent, outcome?.Status, outcome?.Profit);
        return new ArbitrageRun(decision, scan, outcome);
    }

    /// <summary>
    /// The brain's answer made safe: the common checks of <see cref="DecisionValidator"/> (a failed answer, confidence and
    /// setup strength in [0, 1], the minimum confidence for an entry), then the arbitrage's own: only BUY or HOLD, and a BUY
    /// must name a tradable pair of this scan: its <c>entry_price</c>, when given, is the best ask or the walked buy price of a
    /// tradable pair (none given: the best tradable pair). Anything else is a HOLD with the reason; the pair returned is
    /// the one to execute (null for a HOLD).
    /// </summary>
    public static (TradingDecision Decision, ArbitrageOpportunity? Pair) Check(
        DecisionValidator validator, decimal minConfidence, TradeProposal proposal, ArbitrageScan scan, MarketSnapshot market, DecisionSource source, string id, DateTimeOffset at)
    {
        var common = validator.Validate(proposal with { Action = TradeAction.Hold, SizePercent = 0m }, market, TradingStrategy.Arbitrage, source, id, at);
        var proposed = proposal.Action.ToString().ToLowerInvariant();
        if (common.HoldReason is { } reason)
        {
            return (proposal.Action == TradeAction.Hold ? common : common with { ProposedAction = proposed }, null);
        }

        if (proposal.Action == TradeAction.Hold)
        {
            return (common, null);
        }

        if (proposal.Action != TradeAction.Buy)
        {
            return (common with { HoldReason = $"an arbitrage is a buy on one venue and a sell on another: answer buy with a tradable pair, not {proposed}", ProposedAction = proposed }, null);
        }

        if (proposal.Confidence < minConfidence)
        {
            return (common with { HoldReason = F($"confidence {proposal.Confidence} is below AI:MinConfidence {minConfidence}"), ProposedAction = proposed }, null);
        }

        var tradable = scan.Pairs.Where(p => p.Tradable).ToList();
        var pair = proposal.EntryPrice is { } named
            ? tradable.Where(p => p.BestAsk == named || p.BuyPrice == named).OrderByDescending(p => p.ExpectedProfit).FirstOrDefault()
            : scan.Trade;
        if (pair is null)
        {
            var why = tradable.Count == 0
                ? "no pair of this scan is tradable"
                : F($"entry_price {proposal.EntryPrice} names no tradable pair (tradable: {string.Join("; ", tradable.Select(p => F($"buy {p.BuyVenue} at {p.BestAsk}, sell {p.SellVenue} at {p.BestBid}")))})");
            return (common with { HoldReason = why, ProposedAction = proposed }, null);
        }

        return (common with
        {
            Symbol = pair.BuySymbol,
            Action = TradeAction.Buy,
            Side = OrderSide.Buy,
            EntryPrice = pair.BuyPrice,
            TakeProfit = pair.SellPrice,
            MarketPrice = pair.BestAsk,
        }, pair);
    }

    /// <summary>Under the admission lease, both legs through the desk; the decision then says what happened.</summary>
    private async Task<(TradingDecision, ArbitrageOutcome?)> ExecuteAsync(TradingDecision decision, ArbitrageOpportunity pair, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var admitted = await admission.TryReserveAsync(AdmissionKey, decision.Id, 1, at, at + AdmissionLease, cancellationToken);
        if (!admitted.Admitted)
        {
            return (decision.AsHold($"not admitted: {admitted.Refusal}"), null);
        }

        ArbitrageOutcome outcome;
        try
        {
            outcome = await desk.ExecuteAsync(decision.Id, pair, cancellationToken);
            await store.SaveOutcomeAsync(at, outcome, cancellationToken);
            if (outcome.Profit != 0m)
            {
                await CountInAccountAsync(decision.Id, outcome.Profit, at, cancellationToken);
            }
        }
        finally
        {
            await admission.ReleaseAsync(admitted.Slot!, CancellationToken.None);
        }

        if (outcome.Status == ArbitrageStatus.Refused)
        {
            return (decision.AsHold(outcome.Note), outcome);
        }

        if (outcome.Status == ArbitrageStatus.NotFilled)
        {
            return (decision.AsHold($"not executed: {outcome.Note}"), outcome);
        }

        if (outcome.Status == ArbitrageStatus.Naked)
        {
            logger.LogError(new EventId(4604, "ArbitrageNaked"), "Arbitrage {DecisionId} left base held on {Venue}: {Note}", decision.Id, outcome.BuyVenue, outcome.Note);
        }

        return (decision with
        {
            ExecutedAt = time.GetUtcNow(),
            Outcome = outcome.Status == ArbitrageStatus.Naked ? DecisionOutcome.Pending : outcome.Profit > 0m ? DecisionOutcome.Win : DecisionOutcome.Loss,
            Pnl = outcome.Profit,
        }, outcome);
    }

    /// <summary>
    /// The daily loss limit is the account's: the arbitrage's profit or loss goes on the scalper's state row, which the
    /// scalper's gate already reads. The trade is done and its outcome stored: a failed write here is logged, and the decision
    /// is still journaled (the arbitrage's own gate reads the stored outcomes).
    /// </summary>
    private async Task CountInAccountAsync(string decisionId, decimal profit, DateTimeOffset at, CancellationToken cancellationToken)
    {
        try
        {
            await account.UpdateAsync(s => s.WithArbitrage(profit, at), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogFailure(LogLevel.Error, ex, "Arbitrage {DecisionId}: its PnL could not be added to the account's day; the scalper's daily loss check misses it: {Reason}", decisionId);
        }
    }

    private async Task<TradeProposal> AskAsync(MarketSnapshot market, ArbitrageScan scan, IReadOnlyList<VenueBook> books, DecisionSource source, CancellationToken cancellationToken)
    {
        var buy = books.First(b => b.Venue == scan.Trade!.BuyVenue);
        var portfolio = new PortfolioSnapshot(MarketSymbol.Quote(buy.Symbol), buy.QuoteFree, 0, false, 0m);
        try
        {
            return await brain.ProposeAsync(new BrainRequest(market, portfolio, TradingStrategy.Arbitrage) { Source = source, Arbitrage = scan }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogFailure(LogLevel.Warning, ex, "Brain {Model} failed on an arbitrage; holding: {Reason}", brain.Model);
            return TradeProposal.Hold($"The brain failed: {ex.GetType().Name}.", string.Empty, brain.Model) with { FailureReason = $"brain error: {FailureLogging.Reason(ex)}" };
        }
    }

    /// <summary>A HOLD made without asking the brain: no pair clears the threshold (the numbers say by how much).</summary>
    private static TradingDecision Skip(string id, DateTimeOffset at, DecisionSource source, MarketSnapshot market, ArbitrageScan scan)
    {
        var reason = scan.Best is { } best ? $"no arbitrage worth trading: best is {best.Describe()}" : "no arbitrage: fewer than two venues were read";
        return new TradingDecision(
            id, market.Symbol, TradingStrategy.Arbitrage, TradeAction.Hold, null, 0m, null, null, null, 0m,
            $"Not asked: {reason}.", string.Join(" | ", scan.Pairs.Select(p => p.Describe())), "No position is opened.", DecisionMaker.PreFilterModel, 0, at, source, market.Ticker.Mid,
            HoldReason: DecisionMaker.PreFilterPrefix + reason);
    }

    /// <summary>The market the decision is about: the best pair's buy venue, its top of book (an arbitrage reads no candles).</summary>
    private static MarketSnapshot Market(ArbitrageScan scan, IReadOnlyList<VenueBook> books, DateTimeOffset at)
    {
        var venue = scan.Trade?.BuyVenue ?? scan.Best?.BuyVenue;
        var book = books.FirstOrDefault(b => b.Venue == venue) ?? books[0];
        var bid = book.Book.Bids.Count > 0 ? book.Book.Bids[0].Price : 0m;
        var ask = book.Book.Asks.Count > 0 ? book.Book.Asks[0].Price : bid;
        var ticker = new Ticker(book.Symbol, book.Book.Timestamp ?? at, bid, ask, (bid + ask) / 2m, ask, bid, 0m);
        return MarketSnapshot.Create(ticker, []);
    }

    private static string Summary(TradingDecision decision, ArbitrageScan scan, ArbitrageOutcome? outcome) =>
        outcome is not null ? F($"{outcome.Status}: {outcome.Note} (profit {outcome.Profit})")
        : decision.HoldReason ?? (scan.Best is { } best ? best.Describe() : "no venues read");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
