using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>Outcome of an entry attempt: the decision as journaled (executed, or HOLD with why) and the position opened.</summary>
public sealed record EntryResult(TradingDecision Decision, Position? Opened, string Outcome);

/// <summary>What the risk gate says of an entry now, with the inputs the desk read for it (the same question whoever asks).</summary>
public sealed record EntryAssessment(RiskVerdict Verdict, TradingDecision? Held, RiskContext? Context);

/// <summary>
/// The one place orders are placed: the scanner, the HTTP decision and the model's execution tools all come here.
/// Entries pass the <see cref="RiskGate"/> against freshly read positions, balances and risk context, then reserve a
/// position slot and the symbol across processes (<see cref="IEntryAdmission"/>) before the order is sent, so limits
/// hold whoever asks and however many hosts run. Fills are booked as the venue books them: the position holds what the
/// account holds after a fee taken in the base asset, fees keep their currency (read from the account's trades when the
/// order does not say), the barriers follow the fill, and a holding too small to sell is closed in the books as dust.
/// Exits look their order up by client id before sending it, so a retry after a crash never sells twice.
/// </summary>
public sealed class TradeDesk(
    IExchange exchange,
    RiskGate riskGate,
    IDecisionStore decisionStore,
    IPositionStore positionStore,
    IScalpingStateStore stateStore,
    IScanClaimStore claims,
    IOptions<ScalpingOptions> options,
    TimeProvider time,
    ILogger<TradeDesk> logger,
    IEntryAdmission admission,
    AccountValuation valuation,
    WallClock? wall = null,
    OutcomeRecorder? outcomes = null) : IDisposable
{
    /// <summary>Leases (entry slots, exit claims) run on the wall clock: they must outlast a slow call whatever the market's pace.</summary>
    private readonly TimeProvider _wall = WallClock.Or(wall, time);

    /// <summary>Client order ids an exit may use in turn when an earlier one filled nothing (paper answers a reused id with the first order).</summary>
    private const int ExitAttempts = 5;

    private readonly ScalpingOptions _options = options.Value;
    private readonly SemaphoreSlim _entries = new(1, 1);
    private readonly string _owner = $"desk-{Guid.NewGuid():N}";
    private volatile bool _reconcileNeeded = true;

    /// <summary>
    /// True at start and after an entry order failed in a way that leaves its fate unknown (network, exchange down):
    /// the next scan then reconciles with the exchange. Cleared by <see cref="ReconcileDone"/>.
    /// </summary>
    public bool ReconcileNeeded => _reconcileNeeded;

    public void ReconcileDone() => _reconcileNeeded = false;

    /// <summary>Builds the <see cref="RiskContext"/> from today's and yesterday's trades and the open positions marked at current prices, in the account's currency.</summary>
    public async Task<RiskContext> ReadRiskContextAsync(IReadOnlyCollection<Position> open, IReadOnlyDictionary<string, Ticker>? tickers, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var closed = await Task.WhenAll(positionStore.GetClosedAsync(today, cancellationToken), positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken));
        return await RiskContextAsync(open, closed[0].Concat(closed[1]), tickers, cancellationToken);
    }

    /// <summary>
    /// A scan's <see cref="BookView"/>: the state, the open positions and the trades closed today and yesterday, read at
    /// once (one wave of four requests), for the scan to share across its symbols.
    /// </summary>
    public async Task<BookView> ReadBookAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var state = stateStore.GetAsync(cancellationToken);
        var open = positionStore.GetOpenAsync(cancellationToken);
        var closedToday = positionStore.GetClosedAsync(today, cancellationToken);
        var closedYesterday = positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken);
        await Task.WhenAll(state, open, closedToday, closedYesterday);
        return new BookView(await state, await open, [.. await closedToday, .. await closedYesterday], today);
    }

    /// <summary>The <see cref="RiskContext"/> of <paramref name="closed"/> trades (today's and yesterday's) and the open positions marked at current prices, in the account's currency; reads no storage.</summary>
    public async Task<RiskContext> RiskContextAsync(IReadOnlyCollection<Position> open, IEnumerable<Position> closed, IReadOnlyDictionary<string, Ticker>? tickers, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var unrealized = new List<decimal?>(open.Count);
        foreach (var p in open)
        {
            Ticker? ticker = tickers is not null && tickers.TryGetValue(p.Symbol, out var known) ? known : null;
            if (ticker is null)
            {
                try
                {
                    ticker = await exchange.FetchTickerAsync(p.Symbol, cancellationToken);
                }
                catch (ExchangeException)
                {
                    ticker = null;
                }
            }

            var rate = ticker is null ? null : await valuation.RateAsync(p.Quote, cancellationToken);
            unrealized.Add(ticker is null || rate is null ? null : p.UnrealizedPnl(p.Side == PositionSide.Long ? ticker.Bid : ticker.Ask) * rate.Value);
        }

        return RiskContext.From(now, closed, unrealized);
    }

    /// <summary>
    /// What the risk gate would answer for <paramref name="decision"/> now, from freshly read state, positions, balances
    /// and risk context: the question <see cref="EnterAsync"/> asks before it places anything, and the answer the
    /// model's <c>check_risk</c> tool gets.
    /// </summary>
    /// <remarks>
    /// With a scan's <paramref name="view"/> the state, open positions and closed trades are the view's (read once per
    /// scan), not read again: the admission that follows still reads the open positions fresh.
    /// </remarks>
    public async Task<EntryAssessment> AssessAsync(TradingDecision decision, Ticker ticker, CancellationToken cancellationToken, BookView? view = null)
    {
        if (Refuses(decision.Strategy) is { } refused)
        {
            return new EntryAssessment(RiskVerdict.Reject(refused), decision.AsHold(refused), null);
        }

        var state = (view?.State ?? await stateStore.GetAsync(cancellationToken)).On(time.GetUtcNow());
        IReadOnlyList<Position> open = view?.Open ?? await positionStore.GetOpenAsync(cancellationToken);
        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        if (TradeSteps.TooOld(decision, time.GetUtcNow(), _options.MaxDecisionAge) is { } reason)
        {
            // Also what keeps a replayed duplicate from matching an order older than the trades we still look up.
            return new EntryAssessment(RiskVerdict.Reject(reason), decision.AsHold(reason), null);
        }

        if (view?.Executed(decision.Id) ?? await AlreadyExecutedAsync(decision.Id, open, cancellationToken))
        {
            // A retried or duplicated decision: its client order id would return the first fill, never a second position.
            const string repeated = "this decision was already executed";
            return new EntryAssessment(RiskVerdict.Reject(repeated), decision.AsHold(repeated), null);
        }

        var portfolio = PortfolioReader.Create(decision.Symbol, balances, open, state);
        if (await valuation.RateAsync(portfolio.QuoteCurrency, cancellationToken) is not { } rate)
        {
            var unvalued = $"{portfolio.QuoteCurrency} cannot be valued in the account's currency {valuation.Currency} (the venue quotes neither {portfolio.QuoteCurrency}/{valuation.Currency} nor {valuation.Currency}/{portfolio.QuoteCurrency}): the limits, set in {valuation.Currency}, cannot be checked";
            return new EntryAssessment(RiskVerdict.Reject(unvalued), decision.AsHold($"risk gate: {unvalued}"), null);
        }

        var quoted = new Dictionary<string, Ticker> { [ticker.Symbol] = ticker };
        var context = view is null
            ? await ReadRiskContextAsync(open, quoted, cancellationToken)
            : await RiskContextAsync(open, view.Closed, quoted, cancellationToken);
        return TradeSteps.Gate(riskGate, decision, state, portfolio, ticker, context, rate);
    }

    /// <summary>
    /// Why this desk will not carry out an entry of <paramref name="strategy"/>, or null when it will. The desk opens one
    /// position on one venue: an arbitrage is two legs on two venues bought and sold at once, which a single long here
    /// would not be (it would be a scalping position under another name), so it is refused, never placed.
    /// </summary>
    public static string? Refuses(TradingStrategy strategy) => strategy == TradingStrategy.Arbitrage
        ? "not executed: the trade desk opens single-venue positions (scalping, analysis); an arbitrage needs a buy and a sell on two venues, which this desk cannot carry out"
        : null;

    /// <summary>
    /// Reserves the slots of a scan's <paramref name="entries"/> (in that order) in one step of the admission, before any
    /// of them is gated: <see cref="EnterAsync"/> with the batch then uses the entry's slot instead of reserving one, and
    /// <see cref="ReleaseAsync(EntryBatch)"/> gives them all back in one step once the scan's positions are stored. A
    /// scan's entries thus cost one read and two writes of the admission together, not a read and two writes each.
    /// </summary>
    public async Task<EntryBatch> AdmitAsync(IReadOnlyList<TradingDecision> entries, CancellationToken cancellationToken)
    {
        // A decision given twice asks once: its repeat is refused as already executed, or reuses the slot.
        var asking = entries.Where(d => d.IsEntry && Refuses(d.Strategy) is null).DistinctBy(d => d.Id, StringComparer.Ordinal).ToList();
        var leaseStart = _wall.GetUtcNow();
        var admitted = await admission.TryReserveManyAsync(
            asking.Select(d => new SlotRequest(d.Symbol, d.Id)).ToList(), _options.MaxPositions, leaseStart, leaseStart + _options.ScanLeaseTime, cancellationToken);
        return new EntryBatch(asking.Select(d => d.Id).Zip(admitted).ToDictionary(a => a.First, a => a.Second, StringComparer.Ordinal));
    }

    /// <summary>Gives back every slot <paramref name="batch"/> still holds, in one step (their positions are stored, or their entries failed).</summary>
    public Task ReleaseAsync(EntryBatch batch) => batch.TakeAll() is { Count: > 0 } slots
        ? admission.ReleaseManyAsync(slots, CancellationToken.None)
        : Task.CompletedTask;

    /// <summary>
    /// Gates and executes an entry decision; the result's decision is what should be journaled. A scan passes its
    /// <paramref name="view"/> (<see cref="AssessAsync"/>), and what the entry opens is added to it; with its
    /// <paramref name="batch"/> (<see cref="AdmitAsync"/>) the slot reserved there is used and released with the batch.
    /// </summary>
    public async Task<EntryResult> EnterAsync(TradingDecision decision, Ticker ticker, CancellationToken cancellationToken, BookView? view = null, EntryBatch? batch = null)
    {
        if (!decision.IsEntry)
        {
            return new EntryResult(decision, null, $"hold: {decision.HoldReason ?? decision.Reasoning}");
        }

        await _entries.WaitAsync(cancellationToken);
        try
        {
            var assessment = await AssessAsync(decision, ticker, cancellationToken, view);
            if (assessment.Held is { } held)
            {
                batch?.Unused(decision.Id);
                logger.EntryRefused(decision.Id, decision.Symbol, TradingLog.Text(held.HoldReason));
                return new EntryResult(held, null, $"hold: {held.HoldReason}");
            }

            // Exclusive across processes: the slot and the symbol are reserved before the order is sent.
            var admitted = await AdmissionAsync(decision, batch, cancellationToken);
            if (admitted.Slot is not { } slot)
            {
                var refused = decision.AsHold($"risk gate: {admitted.Refusal}");
                logger.EntryRefused(decision.Id, decision.Symbol, TradingLog.Text(refused.HoldReason));
                return new EntryResult(refused, null, $"hold: {refused.HoldReason}");
            }

            var opened = false;
            try
            {
                var result = await OpenAsync(decision, ticker, assessment.Verdict.Notional, view, cancellationToken);
                if (result.Opened is { } position)
                {
                    view?.Opened(position);
                    opened = true;
                }

                return result;
            }
            finally
            {
                // The position (if any) is stored by now and counts by itself; a failed entry gives its slot back. A batch
                // keeps its slots until the scan's entries are done (one release for all), a failed entry's for a later one.
                if (batch is null)
                {
                    await admission.ReleaseAsync(slot, CancellationToken.None);
                }
                else if (!opened)
                {
                    batch.Unused(decision.Id);
                }
            }
        }
        finally
        {
            _entries.Release();
        }
    }

    /// <summary>
    /// The entry's slot: reserved now, or the one its batch reserved. An entry its batch could not admit (the slots were
    /// full, counting the batch's own) is asked again, alone, when an earlier entry of the batch left its slot unused
    /// (refused by the gate, or its order failed): those are released first, so the batch admits what entering one by
    /// one would have.
    /// </summary>
    private async Task<Admission> AdmissionAsync(TradingDecision decision, EntryBatch? batch, CancellationToken cancellationToken)
    {
        if (batch?.For(decision.Id) is { } reserved && (reserved.Admitted || !batch.HasUnused))
        {
            return reserved;
        }

        if (batch is not null && batch.TakeUnused() is { Count: > 0 } unused)
        {
            await admission.ReleaseManyAsync(unused, CancellationToken.None);
        }

        var leaseStart = _wall.GetUtcNow();
        var admitted = await admission.TryReserveAsync(decision.Symbol, decision.Id, _options.MaxPositions, leaseStart, leaseStart + _options.ScanLeaseTime, cancellationToken);
        batch?.Held(decision.Id, admitted);
        return admitted;
    }

    /// <summary>
    /// Closes a position at market; null when the exchange refused or another process is closing it (the next scan
    /// tries again). The exit sells what the account holds, floored to the amount step; only what it filled is closed,
    /// the rest stays open under a new id, and a rest too small to sell is closed in the books as dust.
    /// <paramref name="ticker"/> is the current quote when the caller has it (the dust mark).
    /// </summary>
    public async Task<Position?> ExitAsync(Position position, ExitReason reason, CancellationToken cancellationToken, Ticker? ticker = null)
    {
        var leaseStart = _wall.GetUtcNow();
        var claim = await claims.TryClaimAsync($"exit-{position.Id}", _owner, leaseStart, leaseStart + _options.ScanLeaseTime, cancellationToken);
        if (claim is null)
        {
            logger.LogInformation("Exit of {PositionId} skipped: another process is closing it", position.Id);
            return null;
        }

        try
        {
            // Re-read under the claim: a position closed meanwhile (manual close, another scan) is not closed twice.
            var current = (await positionStore.GetOpenAsync(cancellationToken)).FirstOrDefault(p => p.Id == position.Id);
            if (current is null)
            {
                return null;
            }

            MarketInfo market;
            try
            {
                market = await MarketAsync(current.Symbol, cancellationToken);
                ticker ??= await exchange.FetchTickerAsync(current.Symbol, cancellationToken);
            }
            catch (ExchangeException ex)
            {
                logger.LogWarning("Exit of {PositionId} postponed: {ErrorType} {Error}; retried next scan", current.Id, ex.ErrorType, ex.Message);
                return null;
            }

            var mark = TradeSteps.Mark(current, ticker);
            if (TradeSteps.Unsellable(current, market, mark, time.GetUtcNow()) is { } dust)
            {
                // Nothing of it can ever be sold: close it in the books and free its slot.
                (dust, _) = await BookClosedAsync(dust, null, cancellationToken);
                logger.LogWarning("{PositionId} {Symbol}: {Amount} is below what the venue accepts ({Rule}); closed in the books as dust at {Mark}", current.Id, current.Symbol, current.Amount, market.Violation(market.AmountToPrecision(current.Amount), mark, true), mark);
                return dust;
            }

            if (await PlaceExitAsync(current, FillBooking.Sellable(market, current.Amount, mark), cancellationToken) is not { } order)
            {
                return null;
            }

            var closedAt = time.GetUtcNow();
            var fees = await BookFeesAsync(order, cancellationToken);
            if (TradeSteps.ExitFilled(current, order, fees, reason, closedAt, market, mark) is not { } fill)
            {
                logger.LogWarning("Exit order {OrderId} for {PositionId} filled nothing ({Status}); retried next scan", order.Id, current.Id, order.Status);
                return null;
            }

            // A rest below the lot step or the minimum notional can never be sold: the fill closed it as dust.
            var (done, remainder, dustRest) = fill;

            if (remainder is not null)
            {
                // Remainder first: a crash before the close leaves both rows, and the retried exit (which finds the
                // filled order by its client id) mends it.
                await positionStore.SaveOpenAsync(remainder, cancellationToken);
                logger.LogWarning("Exit of {PositionId} filled {Filled} of {Amount}; {Remaining} stays open as {RemainderId}", current.Id, order.Filled, current.Amount, remainder.Amount, remainder.Id);
            }

            (done, _) = await BookClosedAsync(done, dustRest, cancellationToken, stillOpen: remainder is not null);
            logger.PositionClosed(done.Id, done.Symbol, reason.ToString(), TradingLog.Text(done.ExitPrice), TradingLog.Text(done.RealizedPnl));
            return done;
        }
        finally
        {
            await claims.ReleaseAsync(claim, CancellationToken.None);
        }
    }

    /// <summary>Closes every open position (kill switch); returns those closed.</summary>
    public async Task<IReadOnlyList<Position>> CloseAllAsync(ExitReason reason, CancellationToken cancellationToken)
    {
        var closed = new List<Position>();
        foreach (var position in await positionStore.GetOpenAsync(cancellationToken))
        {
            if (await ExitAsync(position, reason, cancellationToken) is { } done)
            {
                closed.Add(done);
            }
        }

        return closed;
    }

    public void Dispose() => _entries.Dispose();

    /// <summary>The client order id of an exit's <paramref name="attempt"/>-th order (the first is <see cref="Position.ExitClientOrderId"/>).</summary>
    public static string ExitClientOrderId(Position position, int attempt) =>
        attempt <= 1 ? position.ExitClientOrderId : ClientOrderIds.Exit($"{position.Id}.{attempt}");

    /// <summary>
    /// Stores closed parts (the exit's, and dust split off after it, with the quote's rate when the market is quoted in
    /// another currency than the account's), books their PnL in the account's currency for the UTC day, and when nothing of
    /// the decision stays open links the result (the sum of every part) back to the decision.
    /// </summary>
    private async Task<(Position Done, Position? Dust)> BookClosedAsync(Position done, Position? dust, CancellationToken cancellationToken, bool stillOpen = false)
    {
        if (!valuation.IsAccountCurrency(done.Quote))
        {
            // The day's PnL and the limits are in the account's currency: record what the quote was worth at the close.
            var rate = await valuation.RateAsync(done.Quote, cancellationToken);
            if (rate is null)
            {
                logger.LogWarning("{PositionId} {Symbol}: no {Quote}/{Account} rate at the close; its PnL counts unconverted in the day's figures", done.Id, done.Symbol, done.Quote, valuation.Currency);
            }

            done = done with { QuoteRate = rate };
            dust = dust is null ? null : dust with { QuoteRate = rate };
        }

        if (dust is not null)
        {
            await positionStore.CloseAsync(dust, cancellationToken);
        }

        await positionStore.CloseAsync(done, cancellationToken);
        var closedAt = done.ClosedAt!.Value;
        var accountPnl = TradeSteps.DayPnl(done, dust);
        await stateStore.UpdateAsync(s => s.WithClosedTrade(accountPnl, closedAt), cancellationToken);
        if (stillOpen)
        {
            return (done, dust);
        }

        var today = DateOnly.FromDateTime(closedAt.UtcDateTime);
        List<Position>? recent = TradeSteps.ResultNeedsParts(done, dust)
            ? [.. await positionStore.GetClosedAsync(today, cancellationToken), .. await positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken)]
            : null;
        var (outcome, total) = TradeSteps.Result(done, dust, recent);
        await decisionStore.RecordOutcomeAsync(done.Decision, outcome, total, cancellationToken);
        if (outcomes is not null)
        {
            await outcomes.RecordClosedAsync(done, OutcomeRecorder.PartsOf(done, dust, recent), cancellationToken);
        }

        return (done, dust);
    }

    /// <summary>
    /// Sends the exit order of <paramref name="amount"/>, after asking the venue for an earlier order under the same client
    /// id: an exit that filled before a crash (or a timeout) is booked, never sent again. Null when the venue refused or
    /// the earlier order's fate is unknown (the next scan tries again).
    /// </summary>
    private async Task<Order?> PlaceExitAsync(Position current, decimal amount, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= ExitAttempts; attempt++)
        {
            var clientOrderId = ExitClientOrderId(current, attempt);
            try
            {
                var earlier = await exchange.FetchOrderByClientIdAsync(clientOrderId, current.Symbol, cancellationToken);
                if (earlier is not null)
                {
                    if (earlier.Status == OrderStatus.Open)
                    {
                        earlier = await CancelRestAsync(earlier, cancellationToken);
                    }

                    if (earlier.Filled > 0m)
                    {
                        logger.LogWarning("Exit order {ClientOrderId} of {PositionId} had already filled {Filled}: booking it, not sending again", clientOrderId, current.Id, earlier.Filled);
                        return earlier;
                    }

                    continue; // It filled nothing: the next attempt gets its own id.
                }

                var order = await exchange.CreateOrderAsync(new OrderRequest(current.Symbol, OrderType.Market, current.ExitSide, amount, null, clientOrderId), cancellationToken);
                return order.Status == OrderStatus.Open ? await CancelRestAsync(order, cancellationToken) : order;
            }
            catch (ExchangeException ex)
            {
                logger.LogError("Exit order for {PositionId} failed ({ErrorType}): {Error}; retried next scan", current.Id, ex.ErrorType, ex.Message);
                return null;
            }
        }

        logger.LogError("Exit of {PositionId}: {Attempts} exit orders filled nothing; retried next scan", current.Id, ExitAttempts);
        return null;
    }

    /// <summary>
    /// The order's fee charges, valued in quote. An order that filled without saying its fees (no <c>fills</c> in the
    /// answer, a cancelled or looked-up order) gets them from the account's trades; a currency that is neither base nor
    /// quote is valued at the venue's ticker. What cannot be found or valued is logged as such, never taken as 0 silently.
    /// </summary>
    private async Task<BookedFees> BookFeesAsync(Order order, CancellationToken cancellationToken)
    {
        if (order.Filled <= 0m)
        {
            return BookedFees.None;
        }

        var charges = order.FeeCharges;
        if (!order.FeesKnown)
        {
            var trades = await exchange.FetchMyTradesAsync(order.Symbol, order.Timestamp.AddMinutes(-1), null, cancellationToken);
            var own = trades.Where(t => t.OrderId == order.Id).ToList();
            charges = FeeCharge.Merge(own.Where(t => t.FeeCurrency.Length > 0).Select(t => new FeeCharge(t.FeeCurrency, t.Fee)));
            if (own.Count == 0)
            {
                logger.LogError("Order {OrderId} {Symbol} filled {Filled} but neither the order nor the account's trades say its fees: booked without fees", order.Id, order.Symbol, order.Filled);
            }
        }

        var baseCurrency = MarketSymbol.Base(order.Symbol);
        var quote = MarketSymbol.Quote(order.Symbol);
        var rates = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        foreach (var c in charges.Where(c => c.Currency != baseCurrency && c.Currency != quote))
        {
            rates[c.Currency] = await valuation.RateInAsync(c.Currency, quote, cancellationToken);
        }

        var booked = FillBooking.Value(charges, baseCurrency, quote, order.Average, c => rates.GetValueOrDefault(c));
        if (booked.Unvalued.Count > 0)
        {
            logger.LogError("Order {OrderId}: fees {Fees} have no {Quote} rate on {Exchange}; they are kept with the position but not in its PnL", order.Id, booked.Unvalued, quote, exchange.Name);
        }

        return booked;
    }

    private async Task<MarketInfo> MarketAsync(string symbol, CancellationToken cancellationToken)
    {
        var markets = await exchange.LoadMarketsAsync(cancellationToken);
        return markets.TryGetValue(symbol, out var market)
            ? market
            : throw new ExchangeException(ExchangeErrorType.BadSymbol, $"{exchange.Name} has no market {symbol}");
    }

    private async Task<Order> CancelRestAsync(Order order, CancellationToken cancellationToken)
    {
        try
        {
            return await exchange.CancelOrderAsync(order.Id, order.Symbol, cancellationToken);
        }
        catch (ExchangeException ex) when (ex.ErrorType == ExchangeErrorType.OrderNotFound)
        {
            // Filled (or gone) in the meantime: what counts is what it filled.
            return await exchange.FetchOrderAsync(order.Id, order.Symbol, cancellationToken);
        }
    }

    private async Task<bool> AlreadyExecutedAsync(string decisionId, IReadOnlyList<Position> open, CancellationToken cancellationToken)
    {
        if (open.Any(p => p.DecisionId == decisionId))
        {
            return true;
        }

        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        return (await positionStore.GetClosedAsync(today, cancellationToken)).Any(p => p.DecisionId == decisionId)
            || (await positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken)).Any(p => p.DecisionId == decisionId);
    }

    private async Task<EntryResult> OpenAsync(TradingDecision decision, Ticker ticker, decimal notional, BookView? view, CancellationToken cancellationToken)
    {
        Order order;
        MarketInfo market;
        try
        {
            market = await MarketAsync(decision.Symbol, cancellationToken);
            var book = await exchange.FetchOrderBookAsync(decision.Symbol, null, cancellationToken);
            if (!TradeSteps.TryEntryOrder(decision, ticker, notional, _options.SizingBufferPercent, market, book, out var request, out var refusal))
            {
                var thin = decision.AsHold(refusal);
                return new EntryResult(thin, null, $"hold: {thin.HoldReason}");
            }

            order = await exchange.CreateOrderAsync(request, cancellationToken);
            if (order.Status == OrderStatus.Open)
            {
                // A limit entry takes what crosses now and the rest is cancelled (immediate-or-cancel): a scalp that
                // did not fill is not chased, and no resting order outlives the scan that decided it.
                order = await CancelRestAsync(order, cancellationToken);
            }
        }
        catch (ExchangeException ex)
        {
            if (ex.IsTransient)
            {
                // The order may have reached the exchange: the next scan reconciles before entering again.
                _reconcileNeeded = true;
            }

            logger.LogWarning("Entry order for {DecisionId} {Symbol} rejected: {ErrorType} {Error}", decision.Id, decision.Symbol, ex.ErrorType, ex.Message);
            var held = decision.AsHold($"order rejected ({ex.ErrorType}): {ex.Message}");
            return new EntryResult(held, null, $"hold: {held.HoldReason}");
        }

        if (order.Filled <= 0m)
        {
            var unfilled = TradeSteps.Unfilled(decision, order);
            return new EntryResult(unfilled, null, $"hold: {unfilled.HoldReason}");
        }

        var now = time.GetUtcNow();
        var (position, isDust) = TradeSteps.EntryFilled(decision, order, await BookFeesAsync(order, cancellationToken), market, ticker, now);
        if (isDust)
        {
            // A (partial) fill too small to ever sell: it never becomes a position that holds a slot.
            var (booked, _) = await BookClosedAsync(position, null, cancellationToken);
            view?.Booked(booked);
            logger.LogWarning("Entry {DecisionId} {Symbol} filled only {Amount}, below what the venue would buy back; booked as dust", decision.Id, decision.Symbol, position.Amount);
            return new EntryResult(Executed(decision, now), null, $"filled {position.Amount} below the minimum order: booked as dust");
        }

        await positionStore.SaveOpenAsync(position, cancellationToken);
        logger.PositionOpened(position.Id, position.Symbol, position.Side.ToString(), position.Amount, position.EntryPrice, position.StopLoss, position.TakeProfit, TradingLog.Text(position.EntryCharges.ToString()), decision.Id);
        return new EntryResult(Executed(decision, now), position, $"opened {position.Side.ToString().ToLowerInvariant()} {position.Amount} at {position.EntryPrice}");
    }

    /// <summary>
    /// The entry order cut to what the book can fill now (for a limit order, the levels at or better than its price), so
    /// a thin book gives a smaller position instead of a partial fill below the minimum notional; a refusal when even
    /// that breaks the market's minimum amount or notional. Shared with the backtest driver.
    /// </summary>
    public static OrderRequest SizedToBook(OrderRequest request, MarketInfo market, OrderBook book, out string? refusal)
    {
        refusal = null;
        var levels = request.Side == OrderSide.Buy ? book.Asks : book.Bids;
        decimal depth = 0m;
        foreach (var level in levels)
        {
            if (request.Price is { } limit && (request.Side == OrderSide.Buy ? level.Price > limit : level.Price < limit))
            {
                break;
            }

            depth += level.Amount;
        }

        var amount = market.AmountToPrecision(Math.Min(request.Amount, depth));
        var touch = levels.Count > 0 ? levels[0].Price : request.Price ?? 0m;
        if (market.Violation(amount, request.Price ?? touch, request.Type == OrderType.Market) is { } violation)
        {
            refusal = depth < request.Amount ? $"the book cannot fill the minimum order now ({violation})" : violation;
            return request;
        }

        return request with { Amount = amount };
    }

    /// <summary>
    /// The entry order for an approved <paramref name="notional"/>: sized at the dearer of the limit and the market (less
    /// <paramref name="sizingBufferPercent"/>), so the fill never costs more than approved. Shared with the fast backtest path.
    /// </summary>
    public static OrderRequest EntryRequest(TradingDecision decision, Ticker ticker, decimal notional, decimal sizingBufferPercent)
    {
        var side = decision.Side!.Value;
        var price = side == OrderSide.Buy ? ticker.Ask : ticker.Bid;
        var limit = decision.OrderType == OrderType.Limit && decision.EntryPrice is > 0m ? decision.EntryPrice : null;
        var sizingPrice = limit is { } l ? Math.Max(l, price) : price;
        var amount = Math.Round(notional / (sizingPrice * (1m + (sizingBufferPercent / 100m))), 8, MidpointRounding.ToZero);
        return new OrderRequest(decision.Symbol, limit is null ? OrderType.Market : OrderType.Limit, side, amount, limit, ClientOrderIds.Entry(decision.Id));
    }

    /// <summary>The decision as journaled once its entry filled.</summary>
    public static TradingDecision Executed(TradingDecision decision, DateTimeOffset now) => decision with { ExecutedAt = now, Outcome = DecisionOutcome.Pending };

    /// <summary>Whether <paramref name="done"/> closed its decision's position in one exit (no remainder ever split off).</summary>
    public static bool ClosedWhole(Position done) => done.Id == $"pos-{done.DecisionId}";

    /// <summary>The decision's result when exits filled partly: the PnL of every part of it among <paramref name="closed"/> (today's and yesterday's trades).</summary>
    public static decimal PartsTotal(Position done, IEnumerable<Position> closed) =>
        closed.Where(p => p.DecisionId == done.DecisionId).Sum(p => p.RealizedPnl ?? 0m);
}

/// <summary>
/// The slots a scan reserved for its entries in one step (<see cref="TradeDesk.AdmitAsync"/>), by decision id, until
/// <see cref="TradeDesk.ReleaseAsync(EntryBatch)"/> gives them back. Used under the desk's entry lock, one entry at a time.
/// </summary>
public sealed class EntryBatch
{
    private readonly Dictionary<string, Admission> _admissions;
    private readonly HashSet<string> _unused = new(StringComparer.Ordinal);

    internal EntryBatch(Dictionary<string, Admission> admissions) => _admissions = admissions;

    /// <summary>Whether an entry of the batch left its slot unused (refused by the gate, or its order opened nothing).</summary>
    internal bool HasUnused => _unused.Count > 0;

    /// <summary>The batch's answer for <paramref name="decisionId"/>; null when it did not ask for that decision.</summary>
    internal Admission? For(string decisionId) => _admissions.GetValueOrDefault(decisionId);

    /// <summary>The entry of <paramref name="decisionId"/> will not use its slot (when it has one).</summary>
    internal void Unused(string decisionId)
    {
        if (_admissions.GetValueOrDefault(decisionId) is { Admitted: true })
        {
            _unused.Add(decisionId);
        }
    }

    /// <summary>An admission made outside the batch's first step, kept so the batch releases it.</summary>
    internal void Held(string decisionId, Admission admission) => _admissions[decisionId] = admission;

    /// <summary>The unused slots, taken out of the batch (the caller releases them).</summary>
    internal List<EntrySlot> TakeUnused()
    {
        var slots = _unused.Select(id => _admissions[id].Slot!).ToList();
        foreach (var id in _unused)
        {
            _admissions[id] = Admission.Refused("released");
        }

        _unused.Clear();
        return slots;
    }

    /// <summary>Every slot still held, taken out of the batch (the caller releases them).</summary>
    internal List<EntrySlot> TakeAll()
    {
        var slots = _admissions.Values.Where(a => a.Admitted).Select(a => a.Slot!).ToList();
        _admissions.Clear();
        _unused.Clear();
        return slots;
    }
}
