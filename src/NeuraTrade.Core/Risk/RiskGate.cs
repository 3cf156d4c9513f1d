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
    decimal SpreadPercent);

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

    /// <summary>
    /// The limits that do not depend on a decision. When one is hit no entry is possible, so the brain (and
    /// its bill) is skipped. Null when an entry could still pass.
    /// </summary>
    public string? NoEntryPossible(ScalpingState state, int openPositions, bool holdsSymbol, decimal spreadPercent)
    {
        if (!state.Active)
        {
            return "scalping is toggled off";
        }

        if (openPositions >= _options.MaxPositions)
        {
            return $"{openPositions} positions are open (Scalping:MaxPositions {_options.MaxPositions})";
        }

        if (holdsSymbol)
        {
            return "a position in this symbol is already open";
        }

        if (state.DailyRealizedPnl <= -_options.MaxDailyLoss)
        {
            return $"daily loss limit reached: {state.DailyRealizedPnl} (Scalping:MaxDailyLoss {_options.MaxDailyLoss}); entries resume next UTC day";
        }

        return spreadPercent > _options.MaxSpreadPercent
            ? $"spread {spreadPercent:0.####}% is above Scalping:MaxSpreadPercent {_options.MaxSpreadPercent}%"
            : null;
    }

    public RiskVerdict CheckEntry(EntryCheck check)
    {
        var d = check.Decision;
        if (!check.State.Active)
        {
            return RiskVerdict.Reject("scalping is toggled off");
        }

        if (!d.IsEntry)
        {
            return RiskVerdict.Reject("the decision is not an entry");
        }

        if (d.Confidence < _options.MinConfidence)
        {
            return RiskVerdict.Reject($"confidence {d.Confidence} is below Scalping:MinConfidence {_options.MinConfidence}");
        }

        if (check.OpenPositions >= _options.MaxPositions)
        {
            return RiskVerdict.Reject($"{check.OpenPositions} positions are open (Scalping:MaxPositions {_options.MaxPositions})");
        }

        if (check.HoldsSymbol)
        {
            return RiskVerdict.Reject($"a position in {d.Symbol} is already open");
        }

        if (check.State.DailyRealizedPnl <= -_options.MaxDailyLoss)
        {
            return RiskVerdict.Reject($"daily loss limit reached: {check.State.DailyRealizedPnl} (Scalping:MaxDailyLoss {_options.MaxDailyLoss}); entries resume next UTC day");
        }

        if (check.SpreadPercent > _options.MaxSpreadPercent)
        {
            return RiskVerdict.Reject($"spread {check.SpreadPercent:0.####}% is above Scalping:MaxSpreadPercent {_options.MaxSpreadPercent}%");
        }

        if (d.EntryPrice is { } entry && d.TakeProfit is { } target && entry > 0m)
        {
            var edgePercent = Math.Abs(target - entry) / entry * 100m;
            if (edgePercent < _options.MinSpreadPercent)
            {
                return RiskVerdict.Reject($"target edge {edgePercent:0.####}% is below Scalping:MinSpreadPercent {_options.MinSpreadPercent}%");
            }
        }

        var notional = Math.Min(d.SizePercent / 100m * check.QuoteFree, _options.MaxPositionSize);
        notional = Math.Round(notional, 8, MidpointRounding.ToZero);
        if (notional < _options.MinOrderNotional || notional <= 0m)
        {
            return RiskVerdict.Reject($"position of {notional} is below the minimum order of {_options.MinOrderNotional} (free {check.QuoteFree})");
        }

        return new RiskVerdict(true, notional, null);
    }
}
