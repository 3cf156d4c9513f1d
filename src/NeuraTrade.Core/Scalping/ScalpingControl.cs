using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// The operator's controls over the scalper: the runtime toggle, a manual close of one position, the kill switch (close
/// everything and stop entries), and the status read (positions with unrealized PnL, the day's PnL and limits, the last
/// scan, the LLM bill, the books check, the replay's market clock). The status, toggle, close and kill endpoints call it.
/// </summary>
public sealed class ScalpingControl(
    IExchange exchange,
    ITradingBrain brain,
    IPositionStore positionStore,
    IScalpingStateStore stateStore,
    ILlmUsageLedger ledger,
    RiskGate riskGate,
    TradeDesk desk,
    LiveBooks books,
    IOptions<ScalpingOptions> options,
    IOptions<BrainOptions> brainOptions,
    TimeProvider time,
    IMarketReplay? replay = null,
    WallClock? wall = null,
    Learning.AdaptiveConfidence? adaptive = null,
    IFanOutProgress? fanOut = null)
{
    /// <summary>The LLM bill is real money: its day is the wall clock's.</summary>
    private readonly TimeProvider _wall = WallClock.Or(wall, time);

    private readonly ScalpingOptions _options = options.Value;

    public async Task<bool> SetActiveAsync(bool active, CancellationToken cancellationToken)
    {
        var state = await stateStore.UpdateAsync(s => s with { Active = active }, cancellationToken);
        return state.Active;
    }

    /// <summary>Closes one open position at market (<c>manual</c>); null when no such open position exists.</summary>
    public async Task<ManualCloseResult> ClosePositionAsync(string positionId, CancellationToken cancellationToken)
    {
        var position = (await positionStore.GetOpenAsync(cancellationToken)).FirstOrDefault(p => p.Id == positionId);
        if (position is null)
        {
            return new ManualCloseResult(false, null);
        }

        return new ManualCloseResult(true, await desk.ExitAsync(position, ExitReason.Manual, cancellationToken));
    }

    /// <summary>The kill switch: toggles scalping off first (no new entry can start), then closes every open position (<c>kill_switch</c>).</summary>
    public async Task<KillSwitchResult> KillAsync(CancellationToken cancellationToken)
    {
        await stateStore.UpdateAsync(s => s with { Active = false }, cancellationToken);
        var closed = await desk.CloseAllAsync(ExitReason.KillSwitch, cancellationToken);
        var stillOpen = await positionStore.GetOpenAsync(cancellationToken);
        return new KillSwitchResult(false, closed, stillOpen.Select(p => p.Id).ToList());
    }

    public async Task<ScalpingStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var state = (await stateStore.GetAsync(cancellationToken)).On(now);
        var open = await positionStore.GetOpenAsync(cancellationToken);
        var views = new List<OpenPositionView>(open.Count);
        foreach (var p in open.OrderBy(p => p.OpenedAt))
        {
            var price = await TryMarkPriceAsync(p, cancellationToken);
            views.Add(new OpenPositionView(
                p.Id,
                p.Symbol,
                p.Side,
                p.Amount,
                p.EntryPrice,
                price,
                price is { } mark ? p.PnlAt(mark, 0m) : null,
                p.StopLoss,
                p.TakeProfit,
                p.OpenedAt,
                p.DecisionId));
        }

        var usage = await ledger.GetDailyUsageAsync(DateOnly.FromDateTime(_wall.GetUtcNow().UtcDateTime), cancellationToken);
        var budget = brainOptions.Value.DailyBudgetUsd;
        var budgetSpent = brain is not RulesBrain && budget > 0m && usage.CostUsd >= budget;
        var context = await desk.ReadRiskContextAsync(open, null, cancellationToken);
        var paused = riskGate.PausedReason(state, context)
            ?? (open.Count >= _options.MaxPositions ? $"{open.Count} positions are open (Scalping:MaxPositions {_options.MaxPositions}); new entries wait for an exit" : null)
            ?? (budgetSpent ? $"daily LLM budget spent ({usage.CostUsd:0.####} of {budget} USD); decisions are HOLD until the next UTC day" : null);

        // With AI:AdaptiveMinConfidence, each symbol's minimum confidence in force and why (the learning statistics).
        var adapted = new List<Learning.AdaptiveVerdict>();
        if (adaptive is { Enabled: true })
        {
            foreach (var symbol in _options.Symbols)
            {
                adapted.Add(await adaptive.JudgeAsync(symbol, Brain.TradingStrategy.Scalping, cancellationToken));
            }
        }

        // Fanned out, each symbol's interval as the claims recorded it (wall time, as the claims and intervals are).
        var fannedOut = fanOut is not null && _options.FansOut(_options.Symbols.Length)
            ? FanOutStatus.From(await fanOut.ReadAsync(cancellationToken), _options.Symbols, _wall.GetUtcNow())
            : null;

        return new ScalpingStatus(
            state.Active,
            paused,
            _options.Profile,
            exchange.Mode,
            exchange.Name,
            brain.Model,
            _options.Symbols,
            views,
            state.DailyRealizedPnl,
            state.TotalRealizedPnl,
            views.Sum(v => v.UnrealizedPnl ?? 0m),
            Math.Max(0m, _options.MaxDailyLoss + state.DailyRealizedPnl + state.ArbitrageRealizedToday + context.UnrealizedLoss),
            state.TradesToday,
            state.TradesToday == 0 ? null : Math.Round((decimal)state.WinsToday / state.TradesToday, 4),
            state.LastScanAt,
            state.LastScanSummary,
            new ScalpingLimits(
                _options.MaxPositions,
                _options.MaxPositionSize,
                _options.MaxDailyLoss,
                (int)_options.PositionHoldTime.TotalSeconds,
                _options.MinConfidence,
                _options.MinSpreadPercent,
                _options.MaxSpreadPercent)
            {
                MaxDrawdown = _options.MaxDrawdown,
                MaxConsecutiveLosses = _options.MaxConsecutiveLosses,
                StopLossCooldownSeconds = (int)_options.StopLossCooldown.TotalSeconds,
                AllowShort = _options.AllowShort,
                TrailingStopPercent = _options.TrailingStopPercent,
                BreakEvenTriggerPercent = _options.BreakEvenTriggerPercent,
            },
            new LlmUsageToday(brain.Model, usage.Calls, usage.InputTokens, usage.OutputTokens, usage.CostUsd, budget, budgetSpent),
            await books.CurrentAsync(cancellationToken))
        {
            Enabled = _options.Enabled,
            Replay = replay?.Current,
            AdaptiveConfidence = adaptive is { Enabled: true } ? adapted : null,
            Screen = new ScreenToday(_options.Screen && brain.Model != RulesBrain.ModelName, _options.ScreenReachSigmas, state.AskedToday, state.ScreenedToday),
            FanOut = fannedOut,
        };
    }

    /// <summary>The price the position would exit at now (bid for a long, ask for a short), or null if unavailable.</summary>
    private async Task<decimal?> TryMarkPriceAsync(Position position, CancellationToken cancellationToken)
    {
        try
        {
            var ticker = await exchange.FetchTickerAsync(position.Symbol, cancellationToken);
            return position.Side == PositionSide.Long ? ticker.Bid : ticker.Ask;
        }
        catch (ExchangeException)
        {
            return null;
        }
    }
}
