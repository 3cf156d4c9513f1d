using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>Builds the portfolio a brain sees, from the exchange's balances, open positions and today's PnL.</summary>
public sealed class PortfolioReader(IExchange exchange, IPositionStore positions, IScalpingStateStore state, TimeProvider time)
{
    public async Task<PortfolioSnapshot> ReadAsync(string symbol, CancellationToken cancellationToken)
    {
        var balances = await exchange.FetchBalanceAsync(cancellationToken);
        var open = await positions.GetOpenAsync(cancellationToken);
        var today = (await state.GetAsync(cancellationToken)).On(time.GetUtcNow());
        return Create(symbol, balances, open, today);
    }

    public static PortfolioSnapshot Create(string symbol, Balances balances, IReadOnlyCollection<Position> open, ScalpingState today)
    {
        var quote = MarketSymbol.Quote(symbol);
        return new PortfolioSnapshot(quote, balances.Free(quote), open.Count, open.Any(p => p.Symbol == symbol), today.DailyRealizedPnl);
    }
}
