using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// One scan, in four steps: read every symbol's market (concurrently); close positions whose stop-loss,
/// take-profit or hold time is hit (code, never the brain); ask the brain about every symbol where an entry
/// is still possible (concurrently, at most <c>AI:MaxConcurrency</c> at once, so a scan takes about as long as
/// its slowest call; where no entry could pass the limits the brain is not asked and the HOLD says why);
/// then place entries one at a time through the <see cref="EntryPipeline"/>, admitted together in one step
/// (<see cref="TradeDesk.AdmitAsync"/>), and journal every decision behind the scan, in one batch in the order of the
/// symbols (<see cref="EntryPipeline.JournalBehindAsync"/>). The book (state, open positions, recent trades) is read once
/// up front and shared by every symbol (<see cref="BookView"/>): a scan's storage round trips are a constant, plus a
/// constant when it enters (the admission and the release), plus a constant per entry (its order and its position).
/// </summary>
public sealed class ScalpingEngine(
    IExchange exchange,
    DecisionMaker decisions,
    TradeDesk desk,
    EntryPipeline entries,
    RiskGate riskGate,
    IPositionStore positionStore,
    IScalpingStateStore stateStore,
    IScanClaimStore claims,
    LiveBooks books,
    IOptions<ScalpingOptions> options,
    IOptions<BrainOptions> brainOptions,
    TimeProvider time,
    ILogger<ScalpingEngine> logger,
    IMarketReplay? replay = null,
    WallClock? wall = null)
{
    private readonly ScalpingOptions _options = options.Value;
    private readonly IMarketReplay _replay = replay ?? LiveMarket.Instance;

    /// <summary>The scan's claim is a lease between processes: wall time, whatever the market's pace.</summary>
    private readonly TimeProvider _wall = WallClock.Or(wall, time);
    private int _finishedLap = -1;
    private readonly int _concurrency = brainOptions.Value.MaxConcurrency;
    private readonly PositionReconciler _reconciler = new(exchange, positionStore, options, time, logger);
    private readonly string _owner = $"scan-{Environment.MachineName}-{Guid.NewGuid():N}";

    /// <summary>The economy screen in front of a paid model; null for the rules brain (it costs nothing) or when <c>Scalping:Screen</c> is off.</summary>
    private readonly MarketScreen? _screen = options.Value.Screen && decisions.Model != RulesBrain.ModelName
        ? new MarketScreen(options.Value.Costs, HoldHorizon.Candles(options.Value.PositionHoldTime, brainOptions.Value.CandleTimeframe), options.Value.ScreenReachSigmas)
        : null;

    /// <summary>
    /// Runs one scan unless another one (this process or another) holds the scan claim; then the report is skipped
    /// and says so. A scan toggled off still runs the exits of open positions, but asks no brain and enters nothing.
    /// Still under the claim (none of its orders in flight), the books are checked against the account
    /// (<see cref="LiveBooks.AfterScanAsync"/>: the first scan records the baseline; a failure is logged, never thrown).
    /// </summary>
    public async Task<ScanReport> RunScanAsync(CancellationToken cancellationToken)
    {
        // Another process may have started a new lap of the replay: its shared anchor is read beside the claim.
        var phases = new ScanPhases(_wall);
        var leaseStart = _wall.GetUtcNow();
        var refreshing = _replay.RefreshAsync(cancellationToken);
        var claiming = claims.TryClaimAsync("scan", _owner, leaseStart, leaseStart + _options.ScanLeaseTime, cancellationToken);
        try
        {
            await Task.WhenAll(refreshing, claiming);
        }
        catch (Exception) when (claiming.IsCompletedSuccessfully && claiming.Result is { } taken)
        {
            await claims.ReleaseAsync(taken, CancellationToken.None);
            throw;
        }

        var claim = await claiming;
        phases.Mark("claim");
        var startedAt = time.GetUtcNow();
        if (claim is null)
        {
            logger.ScanSkipped("another scan holds the claim", 0);
            return new ScanReport(startedAt, time.GetUtcNow(), true, [], ScanReport.AnotherScanRunning);
        }

        var lease = new ClaimKeeper(claims, claim, _options.ScanLeaseTime, _wall, logger);
        ScanReport report;
        var writes = Task.CompletedTask;
        try
        {
            (report, writes) = await RunClaimedScanAsync(startedAt, lease, phases, cancellationToken);
            await books.AfterScanAsync(cancellationToken);
        }
        finally
        {
            // The scan's last writes (the journal, the scan's record) need no claim: they finish beside its release.
            await lease.DisposeAsync();
            if (lease.Current is { } held)
            {
                await claims.ReleaseAsync(held, CancellationToken.None);
            }
        }

        phases.Mark("claim released");
        await writes;
        phases.Mark("written");
        report = report with { Phases = phases.All };
        if (!report.Skipped)
        {
            logger.ScanFinished(report.Summary);
        }

        return report;
    }

    /// <summary>The faster position check: exits only (stop, target, hold time, trailing), no brain, no entries.</summary>
    public async Task<IReadOnlyList<Position>> CheckPositionsAsync(CancellationToken cancellationToken)
    {
        var open = (await positionStore.GetOpenAsync(cancellationToken)).ToList();
        var closed = new List<Position>();
        foreach (var symbol in open.Select(p => p.Symbol).Distinct(StringComparer.Ordinal).ToList())
        {
            try
            {
                var ticker = await exchange.FetchTickerAsync(symbol, cancellationToken);
                closed.AddRange(await CloseDuePositionsAsync(symbol, ticker, open, cancellationToken));
            }
            catch (ExchangeException ex)
            {
                logger.LogDebug("Position check for {Symbol} skipped: {Error}", symbol, ex.Message);
            }
        }

        return closed;
    }

    /// <summary>
    /// The fan-out timer's part of an interval (<see cref="ScanFanOut"/>), no brain: reconciliation when due, the exits of
    /// every open position, the day's equity peak and the books check. Says why entries are off when they are.
    /// </summary>
    public async Task<ExitPass> RunExitsAsync(CancellationToken cancellationToken)
    {
        await _replay.RefreshAsync(cancellationToken);
        await RestartFinishedReplayAsync(cancellationToken);
        var state = (await stateStore.GetAsync(cancellationToken)).On(time.GetUtcNow());
        IReadOnlyList<string> reconciled = [];
        if (desk.ReconcileNeeded)
        {
            reconciled = await _reconciler.ReconcileAsync(_options.Symbols, cancellationToken);
            desk.ReconcileDone();
        }

        var closed = await CheckPositionsAsync(cancellationToken);
        var context = await desk.ReadRiskContextAsync(await positionStore.GetOpenAsync(cancellationToken), null, cancellationToken);
        if (context.DayRealizedPnl + context.UnrealizedPnl is var equity && equity > state.DayPeakEquity)
        {
            state = await stateStore.UpdateAsync(s => s.WithEquitySeen(equity, context.Now), cancellationToken);
        }

        await books.AfterScanAsync(cancellationToken);
        var off = !_options.Enabled ? ScalpingStatus.DisabledByConfiguration : state.Active ? null : "scalping is toggled off";
        return new ExitPass(Listed(_options.Symbols), closed, reconciled, off);
    }

    /// <summary>
    /// One symbol of a fanned-out interval (the queue-triggered function, <see cref="ScanFanOut"/>): read its market, ask
    /// the brain unless no entry could pass, and enter through the <see cref="EntryPipeline"/> while <paramref name="lease"/>
    /// (the symbol's claim) still holds. Exits are the timer's (<see cref="RunExitsAsync"/>), so they never wait behind this.
    /// </summary>
    public async Task<SymbolScan> ScanSymbolAsync(string symbol, ClaimKeeper lease, CancellationToken cancellationToken)
    {
        await _replay.RefreshAsync(cancellationToken);

        // The book (state, open positions, recent trades) in one wave, shared by the gate, the brain's portfolio and the desk.
        var view = await desk.ReadBookAsync(cancellationToken);
        var state = view.State.On(time.GetUtcNow());
        if (!_options.Enabled || !state.Active)
        {
            return new SymbolScan(symbol, _options.Enabled ? "skipped: scalping is toggled off" : $"skipped: {ScalpingStatus.DisabledByConfiguration}", null, null, []);
        }

        var (market, problem) = await ReadMarketAsync(symbol, cancellationToken);
        if (market is null)
        {
            return new SymbolScan(symbol, problem!, null, null, []);
        }

        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        var context = await desk.RiskContextAsync(view.Open, view.Closed, new Dictionary<string, Ticker> { [symbol] = market.Ticker }, cancellationToken);
        TradingDecision decided;
        using (decisions.BeginScan(TradingStrategy.Scalping))
        {
            decided = (await DecideAsync(market, PortfolioReader.Create(symbol, balances, view.Open, state), state, context, cancellationToken))!;
        }

        if (decided.IsEntry)
        {
            // Read again after the brain: a kill switch thrown while it thought stops the entry.
            view.Refresh(await stateStore.GetAsync(cancellationToken));
        }

        EntryResult entry;
        if (decided.IsEntry && !await lease.RenewIfDueAsync(cancellationToken))
        {
            entry = EntryPipeline.Withhold(decided, "entry stopped: the symbol's claim lapsed and another instance took it over");
        }
        else
        {
            try
            {
                entry = await entries.PlaceAsync(decided, market.Ticker, cancellationToken, view);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogFailure(LogLevel.Error, ex, "Entry for {Symbol} skipped: the trade desk failed before placing an order: {Reason}", symbol);
                entry = EntryPipeline.Withhold(decided, $"entry stopped: {FailureLogging.Reason(ex)}");
            }
        }

        // The decision journaled and, beside it, the day's asked and screened counts (the status's screen), as a single
        // scan records them for all its symbols.
        var (asked, screened) = DecisionMaker.CountAsked([decided]);
        await Task.WhenAll(
            entries.JournalAsync(entry, cancellationToken),
            asked + screened > 0 ? stateStore.UpdateAsync(s => s.WithAsked(time.GetUtcNow(), asked, screened), cancellationToken) : Task.CompletedTask);

        return new SymbolScan(symbol, entry.Outcome, entry.Decision.Id, entry.Opened, []);
    }

    /// <summary>
    /// The scan under its claim (the replay's anchor read already); returns its report and its last writes still under
    /// way (the journal, the scan's record), which the caller awaits after giving the claim back.
    /// </summary>
    private async Task<(ScanReport Report, Task Writes)> RunClaimedScanAsync(DateTimeOffset startedAt, ClaimKeeper lease, ScanPhases phases, CancellationToken cancellationToken)
    {
        if (await RestartFinishedReplayAsync(cancellationToken))
        {
            startedAt = time.GetUtcNow();
        }

        // The book is read once, up front, in one wave (state, open positions, today's and yesterday's trades), and shared
        // by every symbol's gate, portfolio and entry: a scan's storage round trips do not grow with its symbols.
        var view = await desk.ReadBookAsync(cancellationToken);
        phases.Mark("book");
        var state = view.State.On(startedAt);
        IReadOnlyList<string> reconciled = [];
        if (desk.ReconcileNeeded)
        {
            reconciled = await _reconciler.ReconcileAsync(_options.Symbols, cancellationToken);
            desk.ReconcileDone();
        }

        // Disabled by configuration or toggled off: no entry, but open positions still exit on their rules.
        if (!_options.Enabled || !state.Active)
        {
            var why = _options.Enabled ? "toggled off" : ScalpingStatus.DisabledByConfiguration;
            var exitsOnly = await CheckPositionsAsync(cancellationToken);
            var skipped = new ScanReport(startedAt, time.GetUtcNow(), true, exitsOnly.Select(p => new SymbolScan(p.Symbol, $"{why}: exits only", null, null, [p])).ToList(), _options.Enabled ? null : ScalpingStatus.DisabledByConfiguration, reconciled);
            await RecordScanAsync(skipped, cancellationToken);
            logger.ScanSkipped($"scalping is {why}", exitsOnly.Count);
            return (skipped, Task.CompletedTask);
        }

        var symbols = Listed(_options.Symbols);
        var markets = await ForEachAsync(symbols, ReadMarketAsync, cancellationToken);

        if (reconciled.Count > 0)
        {
            // Reconciliation adopted or cancelled something: the book read before it is not the book now.
            view = await desk.ReadBookAsync(cancellationToken);
        }

        var open = view.Open;
        var closed = new List<Position>[symbols.Length];
        var exited = false;
        for (var i = 0; i < symbols.Length; i++)
        {
            closed[i] = markets[i].Market is { } m ? await CloseDuePositionsAsync(symbols[i], m.Ticker, open, cancellationToken, () => exited = true) : [];
        }

        if (exited)
        {
            // Read again only after an exit was tried: a partly filled exit leaves its remainder open under a new id, and
            // a close changes the day's trades and state. Moved stops and excursions are already in the view (written by us).
            view = await desk.ReadBookAsync(cancellationToken);
            open = view.Open;
        }

        state = view.State.On(time.GetUtcNow());
        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        var tickers = new Dictionary<string, Ticker>(StringComparer.Ordinal);
        for (var i = 0; i < symbols.Length; i++)
        {
            if (markets[i].Market is { } m)
            {
                tickers[symbols[i]] = m.Ticker;
            }
        }

        var context = await desk.RiskContextAsync(open, view.Closed, tickers, cancellationToken);
        phases.Mark("markets and exits");

        // The day's equity peak counts unrealized gains: a day up 200 unrealized that falls to -100 has drawn down 300.
        var equity = context.DayRealizedPnl + context.UnrealizedPnl;
        if (equity > state.DayPeakEquity)
        {
            state = await stateStore.UpdateAsync(s => s.WithEquitySeen(equity, context.Now), cancellationToken);
            view.Refresh(state);
        }

        TradingDecision?[] decided;
        using (decisions.BeginScan(TradingStrategy.Scalping))
        {
            // The learning statistics, when on, judge every symbol from one read of the strategy's outcomes.
            decided = await ForEachAsync(
                Enumerable.Range(0, symbols.Length).ToArray(),
                (i, ct) => DecideAsync(markets[i].Market, PortfolioReader.Create(symbols[i], balances, open, state), state, context, ct),
                cancellationToken);
        }

        phases.Mark("brain");

        // One read of the state between the brain and the entries (not one per entry): a kill switch or a toggle thrown
        // while the brain thought stops every entry of this scan. Beside it, the entries' slots are reserved in one step.
        var (batch, entriesStopped) = await AdmitAsync(decided.Where(d => d is { IsEntry: true }).Select(d => d!).ToList(), view, cancellationToken);

        phases.Mark("admission");
        var (asked, screened) = DecisionMaker.CountAsked(decided);
        var results = new List<SymbolScan>(symbols.Length);

        var journal = new ScanDecisions();
        var journaled = new List<Task>();
        try
        {
            for (var i = 0; i < symbols.Length; i++)
            {
                if (markets[i].Market is not { } market)
                {
                    results.Add(new SymbolScan(symbols[i], markets[i].Problem!, null, null, closed[i]));
                    continue;
                }

                EntryResult entry;
                if (entriesStopped is null && decided[i]!.IsEntry && !await lease.RenewIfDueAsync(cancellationToken))
                {
                    // The lease lapsed (a slow brain) and another scan took it over: it may be entering the same markets.
                    entriesStopped = "entries stopped this scan: its lease lapsed and another scan took over";
                }

                if (entriesStopped is not null)
                {
                    entry = EntryPipeline.Withhold(decided[i]!, entriesStopped);
                }
                else
                {
                    try
                    {
                        entry = await entries.PlaceAsync(decided[i]!, market.Ticker, cancellationToken, view, batch);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        // Storage (or anything the desk reads before an order) failed: no order was placed. Keep the
                        // decision (the journal holds it until storage returns) and place no further entries this scan.
                        logger.LogFailure(LogLevel.Error, ex, "Entry for {Symbol} skipped: the trade desk failed before placing an order: {Reason}", symbols[i]);
                        entriesStopped = $"entries stopped this scan: {FailureLogging.Reason(ex)}";
                        entry = EntryPipeline.Withhold(decided[i]!, entriesStopped);
                    }
                }

                // Every decision is journaled behind the scan, in the order of the symbols (a backtest numbers its decisions
                // in journal order), executed or not: the journal writes it before any later save or read of this process.
                journal.Add(entry.Decision);

                results.Add(new SymbolScan(symbols[i], entry.Outcome, entry.Decision.Id, entry.Opened, closed[i]));
            }
        }
        catch (Exception) when (batch is not null)
        {
            await desk.ReleaseAsync(batch);
            throw;
        }

        // Every position of the scan is stored: the slots go back in one step, beside the journal's writes.
        journaled.Add(batch is null ? Task.CompletedTask : desk.ReleaseAsync(batch));

        phases.Mark("entries");

        // The journal's writes, the scan's record and the slots' release are independent: one wait for all, by the caller.
        var report = new ScanReport(startedAt, time.GetUtcNow(), false, results, null, reconciled) { Asked = asked, Screened = screened };
        journaled.Add(entries.JournalBehindAsync(journal, cancellationToken));
        journaled.Add(RecordScanAsync(report, cancellationToken));
        return (report, Task.WhenAll(journaled));
    }

    /// <summary>
    /// Before a scan's <paramref name="entries"/> (none: nothing is read): the state read again (a kill switch thrown while
    /// the brain thought) and, at the same time, every entry's slot reserved in one step of the admission. A failed
    /// reservation (storage) stops the scan's entries with its reason; a failed state read fails the scan, the slots
    /// reserved beside it given back first.
    /// </summary>
    private async Task<(EntryBatch? Batch, string? Stopped)> AdmitAsync(List<TradingDecision> entries, BookView view, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return (null, null);
        }

        var state = stateStore.GetAsync(cancellationToken);
        var admitting = desk.AdmitAsync(entries, cancellationToken);
        try
        {
            await Task.WhenAll(state, admitting);
        }
        catch (Exception) when (admitting.IsFaulted && !state.IsFaulted && !cancellationToken.IsCancellationRequested)
        {
            var ex = admitting.Exception!.GetBaseException();
            logger.LogFailure(LogLevel.Error, ex, "Entries of this scan skipped: their admission failed: {Reason}");
            view.Refresh(await state);
            return (null, $"entries stopped this scan: {FailureLogging.Reason(ex)}");
        }
        catch (Exception) when (admitting.IsCompletedSuccessfully)
        {
            await desk.ReleaseAsync(admitting.Result);
            throw;
        }

        view.Refresh(await state);
        return (await admitting, null);
    }

    /// <summary>
    /// The configured symbols the venue lists (all of them while it has not loaded its markets). A symbol it does not list
    /// (a paper replay without that market's file) is said once at start (StartupReport), not in every scan.
    /// </summary>
    private string[] Listed(string[] symbols)
    {
        return exchange.Markets is { Count: > 0 } markets ? symbols.Where(markets.Contains).ToArray() : symbols;
    }

    private async Task<(MarketSnapshot? Market, string? Problem)> ReadMarketAsync(string symbol, CancellationToken cancellationToken)
    {
        try
        {
            return (await entries.ReadMarketAsync(symbol, cancellationToken), null);
        }
        catch (ExchangeException ex)
        {
            logger.LogDebug("No market data for {Symbol}: {Error}", symbol, ex.Message);
            return (null, $"no market data ({ex.ErrorType}: {ex.Message})");
        }
    }

    private async Task<TradingDecision?> DecideAsync(MarketSnapshot? market, PortfolioSnapshot portfolio, ScalpingState state, RiskContext context, CancellationToken cancellationToken)
    {
        if (market is null)
        {
            return null;
        }

        if (DataEnded(market.Ticker.Symbol) is { } ended)
        {
            return decisions.Skip(market, TradingStrategy.Scalping, DecisionSource.Scan, ended);
        }

        // The limits, then a pause by the learning statistics, then the economy screen: the first reason not to ask the brain.
        var blocked = riskGate.NoEntryPossible(state, portfolio.OpenPositions, portfolio.HoldsSymbol, market.Ticker.SpreadPercent, context, market.Ticker.Symbol)
            ?? await decisions.PausedAsync(market.Symbol, TradingStrategy.Scalping, cancellationToken)
            ?? _screen?.WhyNotAsk(market);
        return blocked is not null
            ? decisions.Skip(market, TradingStrategy.Scalping, DecisionSource.Scan, blocked)
            : await decisions.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Scan, cancellationToken);
    }

    /// <summary>Closes <paramref name="symbol"/>'s due positions among <paramref name="open"/> (kept current); <paramref name="exiting"/> is called before an exit is tried.</summary>
    private async Task<List<Position>> CloseDuePositionsAsync(string symbol, Ticker ticker, List<Position> open, CancellationToken cancellationToken, Action? exiting = null)
    {
        var closed = new List<Position>();
        foreach (var held in open.Where(p => p.Symbol == symbol).ToList())
        {
            var check = TradeSteps.CheckExit(held, ticker, time.GetUtcNow(), _options);
            var (position, moved, due) = check;
            if (check.Changed)
            {
                // A moved stop, or a new best/worst price (the excursion the learning system reports), is kept.
                await positionStore.SaveOpenAsync(position, cancellationToken);
                open[open.IndexOf(held)] = position;
                if (moved)
                {
                    logger.LogInformation("Stop of {PositionId} moved to {StopLoss}", position.Id, position.StopLoss);
                }
            }

            if ((due ?? (DataEnded(symbol) is null ? null : ExitReason.EndOfData)) is not { } reason)
            {
                continue;
            }

            exiting?.Invoke();
            if (await desk.ExitAsync(position, reason, cancellationToken, ticker) is { } done)
            {
                open.Remove(position);
                closed.Add(done);
            }
        }

        return closed;
    }

    /// <summary>
    /// Why no entry may be taken on <paramref name="symbol"/> because its replayed data has ended (positions there close
    /// at the last price as <see cref="ExitReason.EndOfData"/>); null while it has data, and always on a live market.
    /// </summary>
    private string? DataEnded(string symbol)
    {
        if (_replay.DataEnd(symbol) is not { } end || time.GetUtcNow() < end)
        {
            return null;
        }

        return _replay.Current is { Finished: true, Loop: false } done
            ? $"replay finished: the data ended at {done.DataEnd:yyyy-MM-dd HH:mm} market time; no more entries (set Exchange:ReplayLoop=true to start again from the first candle)"
            : $"replay data for {symbol} ended at {end:yyyy-MM-dd HH:mm} market time; no more entries on it";
    }

    /// <summary>
    /// When the replay has finished: says so once (log), and with <c>Exchange:ReplayLoop</c> starts the next lap once
    /// every position is closed (the exits of earlier scans close them at the last price first). True when a lap started.
    /// </summary>
    private async Task<bool> RestartFinishedReplayAsync(CancellationToken cancellationToken)
    {
        if (_replay.Current is not { Finished: true } replay)
        {
            return false;
        }

        if (_finishedLap != replay.Lap)
        {
            _finishedLap = replay.Lap;
            logger.LogWarning(
                "Replay finished: market time {Market:yyyy-MM-dd HH:mm} is past the end of the data ({End:yyyy-MM-dd HH:mm}); open positions close at the last price (end_of_data) and no entry is taken{Loop}",
                replay.MarketTime, replay.DataEnd, replay.Loop ? "; the replay starts again once every position is closed (Exchange:ReplayLoop)" : " (set Exchange:ReplayLoop=true to start again)");
        }

        if (!replay.Loop || (await positionStore.GetOpenAsync(cancellationToken)).Count > 0)
        {
            return false;
        }

        return await _replay.RestartAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> for every item, at most <c>AI:MaxConcurrency</c> at once, results in item order.</summary>
    private async Task<TResult[]> ForEachAsync<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, CancellationToken, Task<TResult>> work, CancellationToken cancellationToken)
    {
        var results = new TResult[items.Count];
        using var gate = new SemaphoreSlim(_concurrency, _concurrency);
        await Task.WhenAll(items.Select(async (item, i) =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                results[i] = await work(item, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        return results;
    }

    private Task<ScalpingState> RecordScanAsync(ScanReport report, CancellationToken cancellationToken) =>
        stateStore.UpdateAsync(s => s.WithScan(report.FinishedAt, report.Summary, report.Asked, report.Screened), cancellationToken);
}

/// <summary>
/// What the fan-out timer's exit pass did: the symbols to fan out (those the venue lists), the positions it closed, what
/// reconciliation found, and why no entry may be taken now (null when entries are on).
/// </summary>
public sealed record ExitPass(IReadOnlyList<string> Symbols, IReadOnlyList<Position> Closed, IReadOnlyList<string> Reconciled, string? EntriesOff);

/// <summary>The steps of one scan as they end (<see cref="ScanReport.Phases"/>), timed on the wall clock.</summary>
internal sealed class ScanPhases(TimeProvider wall)
{
    private readonly long _start = wall.GetTimestamp();
    private readonly List<ScanPhase> _phases = [];

    public IReadOnlyList<ScanPhase> All => _phases;

    public void Mark(string name) => _phases.Add(new ScanPhase(name, wall.GetElapsedTime(_start)));
}
