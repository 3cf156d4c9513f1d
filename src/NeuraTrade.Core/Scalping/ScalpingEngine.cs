using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// One scan: skip when toggled off; per symbol read the market, close positions whose stop-loss,
/// take-profit or hold time is hit, ask for an entry, pass it through the <see cref="RiskGate"/>, place
/// the order, and journal the decision and the position. The scan's time is recorded in the state.
/// </summary>
public sealed class ScalpingEngine(
    IExchange exchange,
    DecisionMaker decisions,
    RiskGate riskGate,
    IDecisionStore decisionStore,
    IPositionStore positionStore,
    IScalpingStateStore stateStore,
    IOptions<ScalpingOptions> options,
    TimeProvider time,
    ILogger<ScalpingEngine> logger)
{
    private readonly ScalpingOptions _options = options.Value;

    public async Task<ScanReport> RunScanAsync(CancellationToken cancellationToken)
    {
        var startedAt = time.GetUtcNow();
        var state = (await stateStore.GetAsync(cancellationToken)).On(startedAt);
        if (!state.Active)
        {
            var skipped = new ScanReport(startedAt, time.GetUtcNow(), true, []);
            await RecordScanAsync(skipped, cancellationToken);
            logger.LogInformation("Scan skipped: scalping is toggled off");
            return skipped;
        }

        var open = (await positionStore.GetOpenAsync(cancellationToken)).ToList();
        var results = new List<SymbolScan>(_options.Symbols.Length);
        foreach (var symbol in _options.Symbols)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await ScanSymbolAsync(symbol, open, cancellationToken));
        }

        var report = new ScanReport(startedAt, time.GetUtcNow(), false, results);
        await RecordScanAsync(report, cancellationToken);
        logger.LogInformation("Scan finished: {Summary}", report.Summary);
        return report;
    }

    private async Task<SymbolScan> ScanSymbolAsync(string symbol, List<Position> open, CancellationToken cancellationToken)
    {
        MarketSnapshot market;
        try
        {
            market = await decisions.ReadMarketAsync(symbol, cancellationToken);
        }
        catch (ExchangeException ex)
        {
            logger.LogDebug("No market data for {Symbol}: {Error}", symbol, ex.Message);
            return new SymbolScan(symbol, $"no market data ({ex.ErrorType}: {ex.Message})", null, null, []);
        }

        var closed = await CloseDuePositionsAsync(symbol, market.Ticker, open, cancellationToken);

        var state = (await stateStore.GetAsync(cancellationToken)).On(time.GetUtcNow());
        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        var portfolio = PortfolioReader.Create(symbol, balances, open, state);

        var decision = await decisions.DecideAsync(market, portfolio, TradingStrategy.Scalping, DecisionSource.Scan, cancellationToken);
        Position? opened = null;
        string outcome;
        if (!decision.IsEntry)
        {
            outcome = $"hold: {decision.HoldReason ?? decision.Reasoning}";
        }
        else
        {
            var verdict = riskGate.CheckEntry(new EntryCheck(decision, state, portfolio.OpenPositions, portfolio.HoldsSymbol, portfolio.QuoteFree, market.Ticker.SpreadPercent));
            if (!verdict.Approved)
            {
                decision = decision.AsHold($"risk gate: {verdict.Reason}");
                outcome = $"hold: {decision.HoldReason}";
            }
            else
            {
                (decision, opened, outcome) = await OpenAsync(decision, market.Ticker, verdict.Notional, cancellationToken);
                if (opened is not null)
                {
                    open.Add(opened);
                }
            }
        }

        await decisionStore.SaveAsync(decision, cancellationToken);
        return new SymbolScan(symbol, outcome, decision.Id, opened, closed);
    }

    private async Task<(TradingDecision Decision, Position? Opened, string Outcome)> OpenAsync(
        TradingDecision decision,
        Ticker ticker,
        decimal notional,
        CancellationToken cancellationToken)
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
            return (held, null, $"hold: {held.HoldReason}");
        }

        var now = time.GetUtcNow();
        var fill = order.Average;
        var position = new Position(
            $"pos-{decision.Id}",
            decision.Symbol,
            side == OrderSide.Buy ? PositionSide.Long : PositionSide.Short,
            order.Filled,
            fill,
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
        return (executed, position, $"opened {position.Side.ToString().ToLowerInvariant()} {position.Amount} at {position.EntryPrice}");
    }

    private async Task<List<Position>> CloseDuePositionsAsync(string symbol, Ticker ticker, List<Position> open, CancellationToken cancellationToken)
    {
        var closed = new List<Position>();
        foreach (var position in open.Where(p => p.Symbol == symbol).ToList())
        {
            var now = time.GetUtcNow();
            if (ExitRules.Evaluate(position, ticker, now, _options.PositionHoldTime) is not { } reason)
            {
                continue;
            }

            var request = new OrderRequest(symbol, OrderType.Market, position.ExitSide, position.Amount, null, $"nt-exit-{position.Id}");
            Order order;
            try
            {
                order = await exchange.CreateOrderAsync(request, cancellationToken);
            }
            catch (ExchangeException ex)
            {
                logger.LogError("Exit order for {PositionId} failed ({ErrorType}): {Error}; retried next scan", position.Id, ex.ErrorType, ex.Message);
                continue;
            }

            var done = position.Close(order, reason, now);
            await positionStore.CloseAsync(done, cancellationToken);
            var pnl = done.RealizedPnl!.Value;
            await stateStore.UpdateAsync(s => s.WithClosedTrade(pnl, now), cancellationToken);
            await decisionStore.RecordOutcomeAsync(done.Decision, pnl > 0m ? DecisionOutcome.Win : DecisionOutcome.Loss, pnl, cancellationToken);
            open.Remove(position);
            closed.Add(done);
            logger.LogInformation("Closed {PositionId} {Symbol} {ExitReason} at {Price}, PnL {Pnl}", done.Id, symbol, reason, done.ExitPrice, pnl);
        }

        return closed;
    }

    private Task<ScalpingState> RecordScanAsync(ScanReport report, CancellationToken cancellationToken) =>
        stateStore.UpdateAsync(s => s.On(report.FinishedAt) with { LastScanAt = report.FinishedAt, LastScanSummary = report.Summary }, cancellationToken);
}
