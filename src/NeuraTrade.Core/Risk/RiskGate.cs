using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;

namespace NeuraTrade.Core.Risk;

/// <summary>
/// What the gate needs to know about one proposed entry. <paramref name="QuoteFree"/> is in the market's quote currency;
/// <paramref name="QuoteRate"/> is what one unit of that quote is worth in the account's currency (1 when they are the
/// same), so that the size limits, which are account-currency amounts, bind the same on every market.
/// </summary>
public sealed record EntryCheck(
    TradingDecision Decision,
    IRiskState State,
    int OpenPositions,
    bool HoldsSymbol,
    decimal QuoteFree,
    decimal SpreadPercent,
    RiskContext? Context = null,
    decimal QuoteRate = 1m);

/// <summary>Approved with the quote notional to commit, or rejected with the reason.</summary>
public sealed record RiskVerdict(bool Approved, decimal Notional, string? Reason)
{
    public static RiskVerdict Reject(string reason) => new(false, 0m, reason);
}

/// <summary>
/// The hard limits. Every entry goes through here after validation; nothing a brain says can widen them.
/// </summary>
public sealed class RiskGate(IOptions<RiskLimits> options)
{
    /// <summary>What the gate and the status say while <c>Scalping:Enabled</c> is false.</summary>
    public const string DisabledByConfiguration = "scalping is disabled by configuration (Scalping:Enabled=false)";

    private readonly RiskLimits _options = options.Value;

    /// <summary>The first limit that rules out any entry, in the order they are checked.</summary>
    private enum Block
    {
        None,
        Disabled,
        Toggled,
        DailyLoss,
        Drawdown,
        LossStreak,
        MaxPositions,
        HoldsSymbol,
        Cooldown,
        Spread,
    }

    /// <summary>
    /// Why no entry at all is possible now (toggle, daily loss with unrealized losses, drawdown, losing streak), or
    /// null. The status endpoint shows this as the pause reason.
    /// </summary>
    public string? PausedReason(IRiskState state, RiskContext? context) => Describe(Paused(state, context), state, context, 0, null, 0m);

    /// <summary>
    /// The limits that do not depend on a decision. When one is hit no entry is possible, so the brain (and
    /// its bill) is skipped. Null when an entry could still pass.
    /// </summary>
    public string? NoEntryPossible(IRiskState state, int openPositions, bool holdsSymbol, decimal spreadPercent, RiskContext? context = null, string? symbol = null) =>
        Describe(FirstBlock(state, openPositions, holdsSymbol, spreadPercent, context, symbol), state, context, openPositions, symbol, spreadPercent);

    /// <summary>The same limits as <see cref="NoEntryPossible"/>, answered without composing a reason (the fast backtest path asks every candle).</summary>
    public bool EntryPossible(IRiskState state, int openPositions, bool holdsSymbol, decimal spreadPercent, RiskContext? context = null, string? symbol = null) =>
        FirstBlock(state, openPositions, holdsSymbol, spreadPercent, context, symbol) == Block.None;

    private Block Paused(IRiskState state, RiskContext? context)
    {
        if (!_options.Enabled)
        {
            return Block.Disabled;
        }

        if (!state.Active)
        {
            return Block.Toggled;
        }

        if (Realized(state, context) + Arbitrage(state, context) + (context?.UnrealizedLoss ?? 0m) <= -_options.MaxDailyLoss)
        {
            return Block.DailyLoss;
        }

        if (context is null)
        {
            return Block.None;
        }

        if (Drawdown(state, context) >= _options.MaxDrawdown)
        {
            return Block.Drawdown;
        }

        return _options.MaxConsecutiveLosses > 0 && context.ConsecutiveLosses >= _options.MaxConsecutiveLosses
            && context.LastLossAt is { } last && context.Now - last < _options.LossStreakPause
            ? Block.LossStreak
            : Block.None;
    }

    private Block FirstBlock(IRiskState state, int openPositions, bool holdsSymbol, decimal spreadPercent, RiskContext? context, string? symbol)
    {
        var paused = Paused(state, context);
        if (paused != Block.None)
        {
            return paused;
        }

        if (openPositions >= _options.MaxPositions)
        {
            return Block.MaxPositions;
        }

        if (holdsSymbol)
        {
            return Block.HoldsSymbol;
        }

        if (symbol is not null && context is not null && _options.StopLossCooldown > TimeSpan.Zero
            && context.LastStopLossAt.TryGetValue(symbol, out var stoppedAt) && context.Now - stoppedAt < _options.StopLossCooldown)
        {
            return Block.Cooldown;
        }

        return spreadPercent > _options.MaxSpreadPercent ? Block.Spread : Block.None;
    }

    /// <summary>
    /// The UTC day's realized PnL: from the stored closed trades when the context was read from them (the state's running
    /// figure is a second write after each close, and a failed second write must not hide a loss), else the state's.
    /// </summary>
    private static decimal Realized(IRiskState state, RiskContext? context) => context?.DayRealizedPnl ?? state.DailyRealizedPnl;

    /// <summary>
    /// The arbitrage's realized PnL today (<see cref="IRiskState.ArbitrageRealizedToday"/>): the daily loss limit is the
    /// account's. A state last written on another day than the context's counts none (its figure is that day's).
    /// </summary>
    private static decimal Arbitrage(IRiskState state, RiskContext? context) =>
        context is null || DateOnly.FromDateTime(context.Now.UtcDateTime) == state.PnlDay ? state.ArbitrageRealizedToday : 0m;

    /// <summary>
    /// How far the day's equity (realized plus unrealized PnL) is below its peak: the peak of the closed trades' running
    /// total, or the higher equity a scan observed with positions open (<see cref="IRiskState.DayPeakEquity"/>).
    /// </summary>
    private static decimal Drawdown(IRiskState state, RiskContext context) =>
        Math.Max(context.DayPeakPnl, state.DayPeakEquity) - (Realized(state, context) + context.UnrealizedPnl);

    private string? Describe(Block block, IRiskState state, RiskContext? context, int openPositions, string? symbol, decimal spreadPercent)
    {
        switch (block)
        {
            case Block.Disabled:
                return DisabledByConfiguration;
            case Block.Toggled:
                return "scalping is toggled off";
            case Block.DailyLoss:
            {
                var unrealizedLoss = context?.UnrealizedLoss ?? 0m;
                var realized = Realized(state, context);
                var arbitrage = Arbitrage(state, context);
                var what = (unrealizedLoss < 0m ? $"{realized} realized {unrealizedLoss} unrealized" : $"{realized}")
                    + (arbitrage != 0m ? $" plus {arbitrage} from arbitrage" : string.Empty);
                return $"daily loss limit reached: {what} (Scalping:MaxDailyLoss {_options.MaxDailyLoss}); entries resume next UTC day";
            }

            case Block.Drawdown:
                return $"drawdown {Drawdown(state, context!)} from today's peak {Math.Max(context!.DayPeakPnl, state.DayPeakEquity)} reached Scalping:MaxDrawdown {_options.MaxDrawdown}; entries halt until it recovers or the next UTC day";
            case Block.LossStreak:
                return $"{context!.ConsecutiveLosses} losses in a row (Scalping:MaxConsecutiveLosses {_options.MaxConsecutiveLosses}); entries pause until {context.LastLossAt!.Value + _options.LossStreakPause:O}";
            case Block.MaxPositions:
                return $"{openPositions} positions are open (Scalping:MaxPositions {_options.MaxPositions})";
            case Block.HoldsSymbol:
                return "a position in this symbol is already open";
            case Block.Cooldown:
            {
                var stoppedAt = context!.LastStopLossAt[symbol!];
                return $"{symbol} stopped out at {stoppedAt:O}; cooling down until {stoppedAt + _options.StopLossCooldown:O} (Scalping:StopLossCooldown)";
            }

            case Block.Spread:
                return $"spread {spreadPercent:0.####}% is above Scalping:MaxSpreadPercent {_options.MaxSpreadPercent}%";
            default:
                return null;
        }
    }

    public RiskVerdict CheckEntry(EntryCheck check)
    {
        var d = check.Decision;
        if (!d.IsEntry)
        {
            return check.State.Active ? RiskVerdict.Reject("the decision is not an entry") : RiskVerdict.Reject("scalping is toggled off");
        }

        if (d.Confidence < _options.MinConfidence)
        {
            return RiskVerdict.Reject($"confidence {d.Confidence} is below Scalping:MinConfidence {_options.MinConfidence}");
        }

        if (NoEntryPossible(check.State, check.OpenPositions, check.HoldsSymbol, check.SpreadPercent, check.Context, d.Symbol) is { } blocked)
        {
            return RiskVerdict.Reject(blocked.Replace("this symbol", d.Symbol, StringComparison.Ordinal));
        }

        if (d.Side == Trading.OrderSide.Sell && !_options.AllowShort)
        {
            return RiskVerdict.Reject("short entries are off (Scalping:AllowShort false; spot sells need the base currency)");
        }

        if (d.StopLoss is not { } stop || d.TakeProfit is not { } takeProfit || stop <= 0m || takeProfit <= 0m)
        {
            return RiskVerdict.Reject("an entry needs a positive stop-loss and take-profit");
        }

        var reference = d.EntryPrice is > 0m ? d.EntryPrice.Value : d.MarketPrice;
        var barriersOk = d.Side == Trading.OrderSide.Buy ? stop < reference && takeProfit > reference : stop > reference && takeProfit < reference;
        if (reference > 0m && !barriersOk)
        {
            return RiskVerdict.Reject($"stop {stop} and target {takeProfit} are on the wrong sides of {reference} for a {d.Side}");
        }

        if (reference > 0m)
        {
            // The barriers follow the fill (the desk keeps their distances), so the target's distance from the reference
            // is what a take-profit earns before costs.
            var costs = _options.Costs;
            var netEdge = costs.NetEdgePercent(reference, takeProfit, check.SpreadPercent);
            if (netEdge < costs.MinNetEdgePercent)
            {
                return RiskVerdict.Reject(
                    $"net edge {netEdge:0.####}% is below Scalping:MinNetEdgePercent {costs.MinNetEdgePercent}%: the target is {Math.Abs(takeProfit - reference) / reference * 100m:0.####}% away and a round trip costs {costs.CostPercent(check.SpreadPercent):0.####}% (fees 2 × {costs.FeePercent}%, slippage 2 × {costs.SlippagePercent}%, spread {check.SpreadPercent:0.####}%)");
            }
        }

        if (check.QuoteRate <= 0m)
        {
            return RiskVerdict.Reject($"no rate converts {d.Symbol}'s quote into the account's currency: the size limits cannot be checked");
        }

        var notional = Notional(d.SizePercent, check.QuoteFree, check.QuoteRate);
        if (notional * check.QuoteRate < _options.MinOrderNotional || notional <= 0m)
        {
            var worth = check.QuoteRate == 1m ? string.Empty : $", worth {notional * check.QuoteRate:0.########} in the account's currency";
            return RiskVerdict.Reject($"position of {notional}{worth} is below the minimum order of {_options.MinOrderNotional} (free {check.QuoteFree})");
        }

        return new RiskVerdict(true, notional, null);
    }

    /// <summary>
    /// Whether an entry asking for <paramref name="sizePercent"/> of <paramref name="quoteFree"/> could reach the minimum
    /// order (<c>Scalping:MinOrderNotional</c>): false means <see cref="CheckEntry"/> refuses it whatever else holds.
    /// </summary>
    public bool ReachesMinimumOrder(decimal sizePercent, decimal quoteFree, decimal quoteRate = 1m)
    {
        var notional = Notional(sizePercent, quoteFree, quoteRate);
        return notional > 0m && notional * quoteRate >= _options.MinOrderNotional;
    }

    /// <summary>
    /// The quote notional an entry may commit: its share of the free funds, capped by <c>Scalping:MaxPositionSize</c>
    /// (both limits are account-currency amounts; the notional is in the market's quote), floored to 8 decimals.
    /// </summary>
    private decimal Notional(decimal sizePercent, decimal quoteFree, decimal quoteRate) =>
        Math.Round(Math.Min(Math.Clamp(sizePercent, 0m, 100m) / 100m * Math.Max(0m, quoteFree), _options.MaxPositionSize / quoteRate), 8, MidpointRounding.ToZero);
}
