using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// Mends a crash between placing an order and storing its position. Entry orders are recognised by their client
/// order id (<c>nt-{decisionId}</c>): an entry fill in the lookback window with no open or recently closed position
/// is adopted as a position (barriers at <c>Scalping:ReconcileBarrierPercent</c>, hold time counted from the fill, so
/// the usual exits close it soon); a resting entry order with no position is cancelled. Base balances that no open
/// position explains are reported, not traded. Every finding is returned for the scan report and logged.
/// </summary>
public sealed class PositionReconciler(
    IExchange exchange,
    IPositionStore positionStore,
    IOptions<ScalpingOptions> options,
    TimeProvider time,
    ILogger logger)
{
    private readonly ScalpingOptions _options = options.Value;

    public async Task<IReadOnlyList<string>> ReconcileAsync(IReadOnlyList<string> symbols, CancellationToken cancellationToken)
    {
        var findings = new List<string>();
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var open = (await positionStore.GetOpenAsync(cancellationToken)).ToList();
        var closed = (await positionStore.GetClosedAsync(today, cancellationToken)).Concat(await positionStore.GetClosedAsync(today.AddDays(-1), cancellationToken)).ToList();
        var known = new HashSet<string>(
            open.Select(p => p.EntryOrderId).Concat(closed.Select(p => p.EntryOrderId)).Concat(closed.Select(p => p.ExitOrderId ?? string.Empty)),
            StringComparer.Ordinal);

        foreach (var order in await exchange.FetchOpenOrdersAsync(null, cancellationToken))
        {
            if (ClientOrderIds.IsEntry(order.ClientOrderId) && !known.Contains(order.Id))
            {
                await exchange.CancelOrderAsync(order.Id, order.Symbol, cancellationToken);
                findings.Add($"cancelled resting entry order {order.Id} ({order.ClientOrderId}) that had no position");
            }
        }

        foreach (var symbol in symbols)
        {
            IReadOnlyList<Trade> fills;
            try
            {
                fills = await exchange.FetchMyTradesAsync(symbol, now - _options.ReconcileLookback, null, cancellationToken);
            }
            catch (ExchangeException ex)
            {
                findings.Add($"{symbol}: could not read fills ({ex.ErrorType})");
                continue;
            }

            foreach (var orderId in fills.Select(f => f.OrderId).Where(id => !known.Contains(id)).Distinct(StringComparer.Ordinal))
            {
                var order = await exchange.FetchOrderAsync(orderId, symbol, cancellationToken);
                if (!ClientOrderIds.IsEntry(order.ClientOrderId) || order.Filled <= 0m)
                {
                    continue;
                }

                var adopted = Adopt(order, fills.Where(f => f.OrderId == order.Id && f.FeeCurrency.Length > 0).Select(f => new FeeCharge(f.FeeCurrency, f.Fee)));
                await positionStore.SaveOpenAsync(adopted, cancellationToken);
                open.Add(adopted);
                known.Add(order.Id);
                findings.Add($"adopted {adopted.Side.ToString().ToLowerInvariant()} {adopted.Amount} {symbol} at {adopted.EntryPrice} from order {order.Id} ({order.ClientOrderId}) that had no position");
            }
        }

        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        foreach (var symbol in symbols)
        {
            var held = balances.ByCurrency.TryGetValue(MarketSymbol.Base(symbol), out var b) ? b.Total : 0m;
            var expected = open.Where(p => p.Symbol == symbol && p.Side == PositionSide.Long).Sum(p => p.Amount);
            if (held < expected)
            {
                findings.Add($"{symbol}: the account holds {held} {MarketSymbol.Base(symbol)}, less than the {expected} open positions need");
            }
        }

        foreach (var finding in findings)
        {
            logger.LogWarning("Reconciliation: {Finding}", finding);
        }

        return findings;
    }

    /// <summary>The position an entry fill without one opens: booked as the desk books it (what the account holds after a fee in the base asset), with the account's fee charges.</summary>
    private Position Adopt(Order order, IEnumerable<FeeCharge> tradeFees)
    {
        var decisionId = order.ClientOrderId[ClientOrderIds.EntryPrefix.Length..];
        var isLong = order.Side == OrderSide.Buy;
        var distance = order.Average * _options.ReconcileBarrierPercent / 100m;
        var charges = order.FeesKnown ? order.FeeCharges : tradeFees;
        var fees = FillBooking.Value(charges, MarketSymbol.Base(order.Symbol), MarketSymbol.Quote(order.Symbol), order.Average, static _ => null);
        var side = isLong ? PositionSide.Long : PositionSide.Short;
        return new Position(
            $"pos-{decisionId}",
            order.Symbol,
            side,
            FillBooking.Held(side, order.Filled, fees.Charges, MarketSymbol.Base(order.Symbol)),
            order.Average,
            fees.QuoteValue,
            isLong ? order.Average - distance : order.Average + distance,
            isLong ? order.Average + distance : order.Average - distance,
            order.Timestamp,
            order.Id,
            decisionId,
            order.Timestamp,
            EntryFees: fees.Charges);
    }
}
