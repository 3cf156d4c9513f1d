using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Risk;

/// <summary>What the gate needs to know about one proposed entry.</summary>
public sealed record EntryCheck(
    TradingDecision Decision,
    ScalpingState State,
    int OpenPositions,
    bool HoldsSymbol,
    decimal QuoteFree,
    decimal SpreadPercent,
    RiskContext? Context = null);

/// <summary>Approved with the quote notional to commit, or rejected with the reason.</summary>
public sealed record RiskVerdict(bool Approved, decimal Notional, string? Reason)
{
    public static RiskVerdict Reject(string reason) => new(false, 0m, reason);
}

/// <summary>
/// The hard limits. Every entry goes through here after validation; nothing a brain says can widen them.
/// </summary>
public sealed class RiskGate(IOptions<ScalpingOptions> options)
{
    private readonly ScalpingOptions _options = options.Value;

    /// <summary>The first limit that rules out any entry, in the order they are checked.</summary>
    private enum Block
    {
        None,
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
    public string? PausedReason(ScalpingState state, RiskContext? context) => Describe(Paused(state, context), state, context, 0, null, 0m);

    /// <summary>
    /// The limits that do not depend on a decision. When one is hit no entry is possible, so the brain (and
    /// its bill) is skipped. Null when an entry could still pass.
    /// </summary>
    public string? NoEntryPossible(ScalpingState state, int openPositions, bool holdsSymbol, decimal spreadPercent, RiskContext? context = null, string? symbol = null) =>
        Describe(FirstBlock(state, openPositions, holdsSymbol, spreadPercent, context, symbol), state, context, openPositions, symbol, spreadPercent);

    /// <summary>The same limits as <see cref="NoEntryPossible"/>, answered without composing a reason (the fast backtest path asks every candle).</summary>
    public bool EntryPossible(ScalpingState state, int openPositions, bool holdsSymbol, decimal spreadPercent, RiskContext? context = null, string? symbol = null) =>
        FirstBlock(state, openPositions, holdsSymbol, spreadPercent, context, symbol) == Block.None;

    private Block Paused(ScalpingState state, RiskContext? context)
    {
        if (!state.Active)
        {
            return Block.Toggled;
        }

        if (state.DailyRealizedPnl + (context?.UnrealizedLoss ?? 0m) <= -_options.MaxDailyLoss)
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

    private Block FirstBlock(ScalpingState state, int openPositions, bool holdsSymbol, decimal spreadPercent, RiskContext? context, string? symbol)
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

    private static decimal Drawdown(ScalpingState state, RiskContext context) => context.DayPeakPnl - (state.DailyRealizedPnl + context.UnrealizedPnl);

    private string? Describe(Block block, ScalpingState state, RiskContext? context, int openPositions, string? symbol, decimal spreadPercent)
    {
        switch (block)
        {
            case Block.Toggled:
                return "scalping is toggled off";
            case Block.DailyLoss:
            {
                var unrealizedLoss = context?.UnrealizedLoss ?? 0m;
                var what = unrealizedLoss < 0m ? $"{state.DailyRealizedPnl} realized {unrealizedLoss} unrealized" : $"{state.DailyRealizedPnl}";
                return $"daily loss limit reached: {what} (Scalping:MaxDailyLoss {_options.MaxDailyLoss}); entries resume next UTC day";
            }

            case Block.Drawdown:
                return $"drawdown {Drawdown(state, context!)} from today's peak {context!.DayPeakPnl} reached Scalping:MaxDrawdown {_options.MaxDrawdown}; entries halt until it recovers or the next UTC day";
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

        if (d.EntryPrice is { } entry && entry > 0m)
        {
            var edgePercent = Math.Abs(takeProfit - entry) / entry * 100m;
            if (edgePercent < _options.MinSpreadPercent)
            {
                return RiskVerdict.Reject($"target edge {edgePercent:0.####}% is below Scalping:MinSpreadPercent {_options.MinSpreadPercent}%");
            }
        }

        var sizePercent = Math.Clamp(d.SizePercent, 0m, 100m);
        var notional = Math.Min(sizePercent / 100m * Math.Max(0m, check.QuoteFree), _options.MaxPositionSize);
        notional = Math.Round(notional, 8, MidpointRounding.ToZero);
        if (notional < _options.MinOrderNotional || notional <= 0m)
        {
            return RiskVerdict.Reject($"position of {notional} is below the minimum order of {_options.MinOrderNotional} (free {check.QuoteFree})");
        }

        return new RiskVerdict(true, notional, null);
    }
}
