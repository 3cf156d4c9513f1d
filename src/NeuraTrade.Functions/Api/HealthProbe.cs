using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Llm;

namespace NeuraTrade.Functions.Api;

/// <summary>
/// What <c>GET /api/health</c> checks: Table Storage answers (the scalper's state row is read, which also gives the last
/// scan), the exchange quotes a configured symbol, and no LLM circuit breaker is open (the model is never called, so no
/// token is spent). Anonymous, so it says only what is safe to say: states, kinds of failure and status codes, never an
/// exception's message, a key, a connection string or an endpoint.
/// </summary>
public sealed class HealthProbe(
    IScalpingStateStore stateStore,
    IExchange exchange,
    ITradingBrain brain,
    LlmCircuits circuits,
    IOptions<ScalpingOptions> scalping,
    IOptions<BrainOptions> brainOptions,
    TimeProvider time,
    ILogger<HealthProbe> logger,
    IMarketReplay? replay = null,
    WallClock? wall = null)
{
    /// <summary>How long each outside check may take (wall time) before it counts as failing.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthResponse> CheckAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, WallClock.Or(wall, time));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var storageCheck = CheckStorageAsync(linked.Token, cancellationToken);
        var exchangeCheck = CheckExchangeAsync(linked.Token, cancellationToken);
        var (storage, lastScanAt) = await storageCheck;
        var exchangeHealth = await exchangeCheck;
        var llm = CheckLlm();

        var scanner = new ScannerHealth(lastScanAt, lastScanAt is { } at && MarketNow() is { } now ? Math.Round((decimal)(now - at).TotalSeconds, 3) : null);
        var failing = new List<string>();
        if (!storage.Healthy)
        {
            failing.Add("storage");
        }

        if (!exchangeHealth.Healthy)
        {
            failing.Add("exchange");
        }

        if (!llm.Healthy)
        {
            failing.Add("llm");
        }

        return new HealthResponse(failing.Count == 0 ? "healthy" : "unhealthy", WallClock.Or(wall, time).GetUtcNow(), exchange.Mode, failing, new HealthChecks(storage, exchangeHealth, llm, scanner));
    }

    private async Task<(StorageHealth Health, DateTimeOffset? LastScanAt)> CheckStorageAsync(CancellationToken cancellationToken, CancellationToken caller)
    {
        try
        {
            var state = await stateStore.GetAsync(cancellationToken);
            return (new StorageHealth(true, "Table Storage answered"), state.LastScanAt);
        }
        catch (Exception ex) when (!caller.IsCancellationRequested)
        {
            logger.LogFailure(LogLevel.Warning, ex, "Health: Table Storage check failed: {Reason}");
            var detail = ex switch
            {
                RequestFailedException { Status: > 0 } failed => $"Table Storage answered {failed.Status}{(string.IsNullOrEmpty(failed.ErrorCode) ? string.Empty : $" {failed.ErrorCode}")}",
                OperationCanceledException => $"Table Storage did not answer within {Timeout.TotalSeconds:0} s",
                _ => "Table Storage could not be reached",
            };
            return (new StorageHealth(false, detail), null);
        }
    }

    private async Task<ExchangeHealth> CheckExchangeAsync(CancellationToken cancellationToken, CancellationToken caller)
    {
        bool? finished = null;
        try
        {
            // The replay's clock reads its shared anchor (from storage, once): a failure here is the exchange's too.
            finished = replay?.Current?.Finished;
            await exchange.LoadMarketsAsync(cancellationToken);
            var symbol = scalping.Value.Symbols.FirstOrDefault(s => exchange.Markets.Contains(s));
            if (symbol is null)
            {
                return new ExchangeHealth(false, exchange.Name, "no configured symbol has market data on this exchange", finished);
            }

            await exchange.FetchTickerAsync(symbol, cancellationToken);
            return new ExchangeHealth(true, exchange.Name, $"{symbol} quoted", finished);
        }
        catch (Exception ex) when (!caller.IsCancellationRequested)
        {
            logger.LogFailure(LogLevel.Warning, ex, "Health: exchange check failed: {Reason}");
            var detail = ex switch
            {
                ExchangeException { IsTransient: true } e => $"the exchange is not available ({Snake(e.ErrorType.ToString())})",
                ExchangeException e => $"the exchange refused the request ({Snake(e.ErrorType.ToString())})",
                OperationCanceledException => $"the exchange did not answer within {Timeout.TotalSeconds:0} s",
                _ => "the exchange could not be read",
            };
            return new ExchangeHealth(false, exchange.Name, detail, finished);
        }
    }

    private LlmHealth CheckLlm()
    {
        var provider = LlmProviders.Normalize(brainOptions.Value.Provider) ?? LlmProviders.Rules;
        _ = brain.Model; // builds the brain's client, so its breaker is registered
        var states = circuits.States;
        var broken = states.Where(s => s.Value is "open" or "isolated").Select(s => s.Key).ToList();
        var detail = provider == LlmProviders.Rules
            ? "the rules brain needs no LLM"
            : broken.Count > 0
                ? $"circuit breaker open after repeated failures: {string.Join(", ", broken)}; decisions hold until it closes"
                : "no circuit breaker is open (the model is not called by this check)";
        return new LlmHealth(broken.Count == 0, provider, brain.Model, states, detail);
    }

    /// <summary>The market clock's now; null when it cannot be read (a replay's clock reads its anchor from storage once).</summary>
    private DateTimeOffset? MarketNow()
    {
        try
        {
            return time.GetUtcNow();
        }
        catch (Exception ex)
        {
            logger.LogFailure(LogLevel.Warning, ex, "Health: the market clock could not be read: {Reason}");
            return null;
        }
    }

    private static string Snake(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

/// <summary>
/// <c>GET /api/health</c>: <c>healthy</c> (200) or <c>unhealthy</c> (503) with the failing parts in <c>failing</c>
/// (<c>storage</c>, <c>exchange</c>, <c>llm</c>); <c>checked_at</c> on the wall clock.
/// </summary>
public sealed record HealthResponse(string Status, DateTimeOffset CheckedAt, TradingMode TradingMode, IReadOnlyList<string> Failing, HealthChecks Checks)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Healthy => Failing.Count == 0;
}

public sealed record HealthChecks(StorageHealth Storage, ExchangeHealth Exchange, LlmHealth Llm, ScannerHealth Scanner);

public sealed record StorageHealth(bool Healthy, string Detail);

/// <param name="ReplayFinished">On a paper replay, whether its data has ended (nothing more is entered); null on a live market.</param>
public sealed record ExchangeHealth(bool Healthy, string Name, string Detail, bool? ReplayFinished);

/// <param name="Circuits">Each LLM circuit breaker built so far by role (<c>brain</c>, <c>risk_review</c>): closed, open, half_open, isolated.</param>
public sealed record LlmHealth(bool Healthy, string Provider, string Model, IReadOnlyDictionary<string, string> Circuits, string Detail);

/// <summary>The last scan, on the market clock like the status (a replay's runs faster than the wall); null before the first.</summary>
public sealed record ScannerHealth(DateTimeOffset? LastScanAt, decimal? LastScanAgeSeconds);
