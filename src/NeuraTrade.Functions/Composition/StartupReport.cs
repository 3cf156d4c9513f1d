using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Storage;

namespace NeuraTrade.Functions.Composition;

/// <summary>Says at start what the app runs with: brain, exchange, storage, symbols and limits. Never a secret.</summary>
public sealed class StartupReport(
    ITradingBrain brain,
    IExchange exchange,
    TableStore tables,
    IOptions<ScalpingOptions> scalping,
    IOptions<BrainOptions> ai,
    IOptions<AuthOptions> auth,
    ILogger<StartupReport> logger,
    NeuraTrade.Core.Markets.IMarketReplay? replay = null) : IHostedService
{
    public IReadOnlyList<string> Lines()
    {
        var s = scalping.Value;
        var lines = new List<string>
        {
            brain is RulesBrain
                ? $"Brain: {brain.Model}"
                : $"Brain: {ai.Value.Provider} {brain.Model} (daily budget {(ai.Value.DailyBudgetUsd > 0m ? $"{ai.Value.DailyBudgetUsd} USD" : "unlimited")}, risk review {(ai.Value.RiskReview ? "on" : "off")}, concurrency {ai.Value.MaxConcurrency})",
            $"Exchange: {exchange.Name} (markets: {string.Join(", ", exchange.Markets.Order(StringComparer.Ordinal))})",
            $"Storage: Azure Table Storage, account {tables.AccountName}",
            $"Scalping: profile {s.Profile}, symbols {string.Join(", ", s.Symbols)}, schedule '{s.ScanSchedule}', max positions {s.MaxPositions}, "
                + $"max position size {s.MaxPositionSize}, max daily loss {s.MaxDailyLoss}, hold {s.PositionHoldTime}",
        };
        lines.Add(AuthLine(auth.Value));
        if (brain is RulesBrain)
        {
            lines.Add("No LLM is configured: decisions come from the deterministic rules brain (rules-v1). See README 'Settings' (AI__Provider) for LLM providers.");
        }

        try
        {
            if (replay?.Current is { } r)
            {
                lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Market clock: paper replay at {r.Speed}×, market time {r.MarketTime:yyyy-MM-dd HH:mm:ss} at wall {r.WallTime:yyyy-MM-dd HH:mm:ss} UTC, data {r.DataStart:yyyy-MM-dd HH:mm} .. {r.DataEnd:yyyy-MM-dd HH:mm}, lap {r.Lap}")
                    + (r.Finished ? ", finished (no more entries)" : string.Empty) + (r.Loop ? ", loops (Exchange:ReplayLoop)" : string.Empty)
                    + "; hold time, cooldowns and the day of the loss limits run on market time");
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or InvalidOperationException or FormatException)
        {
            lines.Add($"Market clock: paper replay, anchor not readable yet ({ex.Message.Split('\n')[0]})");
        }

        var missing = s.Symbols.Where(sym => !exchange.Markets.Contains(sym)).ToArray();
        if (missing.Length > 0)
        {
            lines.Add($"No market data for {string.Join(", ", missing)} on {exchange.Name}: scans skip them. To paper-trade them, drop their candle files (BASE_QUOTE-1m.csv) in Exchange:ReplayDirectory, or point it at a folder that has them (data/README.md).");
        }

        return lines;
    }

    /// <summary>Who may trade: the mode, and under entra the registration, role and the functions it guards.</summary>
    private static string AuthLine(AuthOptions auth)
    {
        if (auth.Mode == AuthMode.Key)
        {
            return "Auth: key (a function key is enough for every function; Auth:Mode=entra adds Entra ID for trading actions)";
        }

        var actions = TradingActions.Find(typeof(StartupReport).Assembly).Select(a => a.When is null ? a.Name : $"{a.Name} ({a.When})");
        return $"Auth: entra, client {auth.ClientId}, role {auth.TradingRole} for {string.Join(", ", actions)}; "
            + $"platform sign-in header {(auth.TrustPlatformPrincipal ? "trusted" : "ignored")}";
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var line in Lines())
        {
            logger.LogInformation("{StartupLine}", line);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
