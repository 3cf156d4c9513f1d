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
    IOptions<ScalpingOptions> options,
    TimeProvider time,
    ILogger<TradeDesk> logger) : IDisposable
{
    private readonly ScalpingOptions _options = options.Value;
    private readonly SemaphoreSlim _entries = new(1, 1);

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
            var portfolio = PortfolioReader.Create(decision.Symbol, balances, open, state);
            var verdict = riskGate.CheckEntry(new EntryCheck(decision, state, portfolio.OpenPositions, portfolio.HoldsSymbol, portfolio.QuoteFree, ticker.SpreadPercent));
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

    /// <summary>Closes a position at market; null when the exchange refused (the next scan tries again).</summary>
    public async Task<Position?> ExitAsync(Position position, ExitReason reason, CancellationToken cancellationToken)
    {
        var request = new OrderRequest(position.Symbol, OrderType.Market, position.ExitSide, position.Amount, null, $"nt-exit-{position.Id}");
        Order order;
        try
        {
            order = await exchange.CreateOrderAsync(request, cancellationToken);
        }
        catch (ExchangeException ex)
        {
            logger.LogError("Exit order for {PositionId} failed ({ErrorType}): {Error}; retried next scan", position.Id, ex.ErrorType, ex.Message);
            return null;
        }

        var now = time.GetUtcNow();
        var done = position.Close(order, reason, now);
        await positionStore.CloseAsync(done, cancellationToken);
        var pnl = done.RealizedPnl!.Value;
        await stateStore.UpdateAsync(s => s.WithClosedTrade(pnl, now), cancellationToken);
        await decisionStore.RecordOutcomeAsync(done.Decision, pnl > 0m ? DecisionOutcome.Win : DecisionOutcome.Loss, pnl, cancellationToken);
        logger.LogInformation("Closed {PositionId} {Symbol} {ExitReason} at {Price}, PnL {Pnl}", done.Id, done.Symbol, reason, done.ExitPrice, pnl);
        return done;
    }

    public void Dispose() => _entries.Dispose();

    private async Task<EntryResult> OpenAsync(TradingDecision decision, Ticker ticker, decimal notional, CancellationToken cancellationToken)
    {
        var side = decision.Side!.Value;
        var price = side == OrderSide.Buy ? ticker.Ask : ticker.Bid;
        var amount = Math.Round(notional / (price * (1m + (_options.SizingBufferPercent / 100m))), 8, MidpointRounding.ToZero);
        var request = new OrderRequest(decision.Symbol, OrderType.Market, side, amount, null, $"nt-{decision.Id}");
        Order order;
        try
        {
            order = await exchange.CreateOrderAsync(request, cancellationToken);
        }
        catch (ExchangeException ex)
        {
            logger.LogWarning("Entry order for {DecisionId} {Symbol} rejected: {ErrorType} {Error}", decision.Id, decision.Symbol, ex.ErrorType, ex.Message);
            var held = decision.AsHold($"order rejected ({ex.ErrorType}): {ex.Message}");
            return new EntryResult(held, null, $"hold: {held.HoldReason}");
        }

        var now = time.GetUtcNow();
        var position = new Position(
            $"pos-{decision.Id}",
            decision.Symbol,
            side == OrderSide.Buy ? PositionSide.Long : PositionSide.Short,
            order.Filled,
            order.Average,
            order.Fee,
            decision.StopLoss!.Value,
            decision.TakeProfit!.Value,
            now,
            order.Id,
            decision.Id,
            decision.CreatedAt);
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
        var executed = decision with { ExecutedAt = now, Outcome = DecisionOutcome.Pending };
        return new EntryResult(executed, position, $"opened {position.Side.ToString().ToLowerInvariant()} {position.Amount} at {position.EntryPrice}");
    }
}
