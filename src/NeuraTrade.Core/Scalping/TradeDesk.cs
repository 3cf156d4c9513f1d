using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>Outcome of an entry attempt: the decision as journaled (executed, or HOLD with why) and the position opened.</summary>
public sealed record EntryResult(TradingDecision Decision, Position? Opened, string Outcome);

/// <summary>
/// The one place orders are placed: the scanner and the model's execution tools both come here. Entries
/// pass the <see cref="RiskGate"/> against freshly read positions, balances and state, one at a time, so
/// limits hold whoever asks. Exits close the position, book the PnL for the UTC day and link the result
/// back to the decision.
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
    ILogger<TradeDesk> logger) : IDisposable
{
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

    /// <summary>Builds the <see cref="RiskContext"/> from today's and yesterday's trades and the open positions marked at current prices.</summary>
    public async Task<RiskContext> ReadRiskContextAsync(IReadOnlyCollection<Position> open, IReadOnlyDictionary<string, Ticker>? tickers, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var closed = (await positionStore.GetClosedAsync(today, cancellationToken)).Concat(await positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken));
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

            unrealized.Add(ticker is null ? null : p.UnrealizedPnl(p.Side == PositionSide.Long ? ticker.Bid : ticker.Ask));
        }

        return RiskContext.From(now, closed, unrealized);
    }

    /// <summary>Gates and executes an entry decision; the result's decision is what should be journaled.</summary>
    public async Task<EntryResult> EnterAsync(TradingDecision decision, Ticker ticker, CancellationToken cancellationToken)
    {
        if (!decision.IsEntry)
        {
            return new EntryResult(decision, null, $"hold: {decision.HoldReason ?? decision.Reasoning}");
        }

        await _entries.WaitAsync(cancellationToken);
        try
        {
            var state = (await stateStore.GetAsync(cancellationToken)).On(time.GetUtcNow());
            var open = await positionStore.GetOpenAsync(cancellationToken);
            var balances = await exchange.FetchBalanceAsync(cancellationToken);
            if (time.GetUtcNow() - decision.CreatedAt > _options.MaxDecisionAge)
            {
                // Also what keeps a replayed duplicate from matching an order older than the trades we still look up.
                var stale = decision.AsHold($"decision is older than Scalping:MaxDecisionAge {_options.MaxDecisionAge}");
                return new EntryResult(stale, null, $"hold: {stale.HoldReason}");
            }

            if (await AlreadyExecutedAsync(decision.Id, open, cancellationToken))
            {
                // A retried or duplicated decision: its client order id would return the first fill, never a second position.
                var duplicate = decision.AsHold("this decision was already executed");
                return new EntryResult(duplicate, null, $"hold: {duplicate.HoldReason}");
            }

            var portfolio = PortfolioReader.Create(decision.Symbol, balances, open, state);
            var context = await ReadRiskContextAsync(open, new Dictionary<string, Ticker> { [ticker.Symbol] = ticker }, cancellationToken);
            var verdict = riskGate.CheckEntry(new EntryCheck(decision, state, portfolio.OpenPositions, portfolio.HoldsSymbol, portfolio.QuoteFree, ticker.SpreadPercent, context));
            if (!verdict.Approved)
            {
                var held = decision.AsHold($"risk gate: {verdict.Reason}");
                return new EntryResult(held, null, $"hold: {held.HoldReason}");
            }

            return await OpenAsync(decision, ticker, verdict.Notional, cancellationToken);
        }
        finally
        {
            _entries.Release();
        }
    }

    /// <summary>
    /// Closes a position at market; null when the exchange refused or another process is closing it (the next scan
    /// tries again). Only what the exit order filled is closed: the remainder stays open under a new id.
    /// </summary>
    public async Task<Position?> ExitAsync(Position position, ExitReason reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claim = await claims.TryClaimAsync($"exit-{position.Id}", _owner, now, now + _options.ScanLeaseTime, cancellationToken);
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

            var request = new OrderRequest(current.Symbol, OrderType.Market, current.ExitSide, current.Amount, null, current.ExitClientOrderId);
            Order order;
            try
            {
                order = await exchange.CreateOrderAsync(request, cancellationToken);
            }
            catch (ExchangeException ex)
            {
                logger.LogError("Exit order for {PositionId} failed ({ErrorType}): {Error}; retried next scan", current.Id, ex.ErrorType, ex.Message);
                return null;
            }

            var closedAt = time.GetUtcNow();
            var (done, remainder) = current.CloseFilled(order, reason, closedAt);
            if (done is null)
            {
                logger.LogWarning("Exit order {OrderId} for {PositionId} filled nothing ({Status}); retried next scan", order.Id, current.Id, order.Status);
                return null;
            }

            if (remainder is not null)
            {
                // Remainder first: a crash before the close leaves both rows, and the retried exit (same client order id) mends it.
                await positionStore.SaveOpenAsync(remainder, cancellationToken);
                logger.LogWarning("Exit of {PositionId} filled {Filled} of {Amount}; {Remaining} stays open as {RemainderId}", current.Id, order.Filled, current.Amount, remainder.Amount, remainder.Id);
            }

            await positionStore.CloseAsync(done, cancellationToken);
            var pnl = done.RealizedPnl!.Value;
            await stateStore.UpdateAsync(s => s.WithClosedTrade(pnl, closedAt), cancellationToken);
            if (remainder is null)
            {
                // The decision's result is the sum of every part closed for it (one part unless an exit filled partly).
                var today = DateOnly.FromDateTime(closedAt.UtcDateTime);
                var total = ClosedWhole(done)
                    ? pnl
                    : PartsTotal(done, [.. await positionStore.GetClosedAsync(today, cancellationToken), .. await positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken)]);
                await decisionStore.RecordOutcomeAsync(done.Decision, total > 0m ? DecisionOutcome.Win : DecisionOutcome.Loss, total, cancellationToken);
            }

            logger.LogInformation("Closed {PositionId} {Symbol} {ExitReason} at {Price}, PnL {Pnl}", done.Id, done.Symbol, reason, done.ExitPrice, pnl);
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

    private async Task<EntryResult> OpenAsync(TradingDecision decision, Ticker ticker, decimal notional, CancellationToken cancellationToken)
    {
        var request = EntryRequest(decision, ticker, notional, _options.SizingBufferPercent);
        Order order;
        try
        {
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
            var unfilled = decision.AsHold($"entry order {order.Id} filled nothing ({order.Status})");
            return new EntryResult(unfilled, null, $"hold: {unfilled.HoldReason}");
        }

        var now = time.GetUtcNow();
        var position = OpenedPosition(decision, order, now);
        await positionStore.SaveOpenAsync(position, cancellationToken);
        logger.LogInformation(
            "Opened {PositionId} {Symbol} {Side} {Amount} at {Price} (stop {StopLoss}, target {TakeProfit})",
            position.Id,
            position.Symbol,
            position.Side,
            position.Amount,
            position.EntryPrice,
            position.StopLoss,
            position.TakeProfit);
        return new EntryResult(Executed(decision, now), position, $"opened {position.Side.ToString().ToLowerInvariant()} {position.Amount} at {position.EntryPrice}");
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

    /// <summary>The position an entry fill opens (what filled, at its average price and fee, with the decision's barriers).</summary>
    public static Position OpenedPosition(TradingDecision decision, Order order, DateTimeOffset now) =>
        new(
            $"pos-{decision.Id}",
            decision.Symbol,
            decision.Side == OrderSide.Buy ? PositionSide.Long : PositionSide.Short,
            order.Filled,
            order.Average,
            order.Fee,
            decision.StopLoss!.Value,
            decision.TakeProfit!.Value,
            now,
            order.Id,
            decision.Id,
            decision.CreatedAt);

    /// <summary>The decision as journaled once its entry filled.</summary>
    public static TradingDecision Executed(TradingDecision decision, DateTimeOffset now) => decision with { ExecutedAt = now, Outcome = DecisionOutcome.Pending };

    /// <summary>Whether <paramref name="done"/> closed its decision's position in one exit (no remainder ever split off).</summary>
    public static bool ClosedWhole(Position done) => done.Id == $"pos-{done.DecisionId}";

    /// <summary>The decision's result when exits filled partly: the PnL of every part of it among <paramref name="closed"/> (today's and yesterday's trades).</summary>
    public static decimal PartsTotal(Position done, IEnumerable<Position> closed) =>
        closed.Where(p => p.DecisionId == done.DecisionId).Sum(p => p.RealizedPnl ?? 0m);
}
