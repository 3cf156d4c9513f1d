using System.Globalization;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// The account-wide question the <see cref="ArbitrageDesk"/> asks before any order (its <c>accountGate</c>): the
/// arbitrage's persisted toggle (off by hand, or by the kill switch, which says so), then the account's daily loss: the
/// scalper's realized PnL of the UTC day (its state, <see cref="IScalpingStateStore"/>) plus the day's arbitrage profits and
/// losses (the stored <see cref="ArbitrageOutcome"/>s) must stay above <c>-Scalping:MaxDailyLoss</c>. The day is the app's
/// clock's, the one the scalper's limits use.
/// </summary>
public sealed class ArbitrageAccountGate(IArbitrageStore store, IScalpingStateStore scalping, IOptions<RiskLimits> limits, TimeProvider time)
{
    /// <summary>What the gate answers while the arbitrage is toggled off by hand.</summary>
    public const string ToggledOff = "arbitrage is toggled off";

    /// <summary>Why no arbitrage may be placed now, or null.</summary>
    public async Task<string?> RefusalAsync(CancellationToken cancellationToken)
    {
        var state = await store.GetStateAsync(cancellationToken);
        if (!state.Enabled)
        {
            return state.OffReason ?? ToggledOff;
        }

        var (scalper, arbitrage) = await DayPnlAsync(cancellationToken);
        var limit = limits.Value.MaxDailyLoss;
        var total = scalper + arbitrage;
        return total <= -limit
            ? string.Create(CultureInfo.InvariantCulture, $"daily loss limit reached: {total} today (scalping {scalper}, arbitrage {arbitrage}; Scalping:MaxDailyLoss {limit}); arbitrage resumes next UTC day")
            : null;
    }

    /// <summary>The UTC day's realized PnL on the app's clock: the scalper's (its state) and the arbitrage's (its outcomes).</summary>
    public async Task<(decimal Scalping, decimal Arbitrage)> DayPnlAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = (await scalping.GetAsync(cancellationToken)).On(now);
        var outcomes = await store.GetOutcomesAsync(DateOnly.FromDateTime(now.UtcDateTime), cancellationToken);
        return (state.DailyRealizedPnl, outcomes.Sum(o => o.Outcome.Profit));
    }
}
