using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>neuratrade decisions [--symbol S] [--strategy S] [--limit N] [--json]</c>: the journal, newest first, as a
/// table or as the API's JSON. Reads the same storage settings as <c>serve</c> (StorageCommand; Azurite by default, started when
/// it is not running).
/// </summary>
internal static class DecisionsCommand
{
    public static Command Create()
    {
        var symbol = new Option<string?>("--symbol") { Description = "Only this symbol, e.g. BTC/USDT." };
        var strategy = new Option<string?>("--strategy") { Description = $"Only this strategy ({string.Join(", ", TradingStrategies.Names)})." };
        var limit = new Option<int>("--limit") { Description = $"How many (1 to {DecisionQuery.MaxLimit}).", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table." };
        var command = new Command("decisions", "Print journaled AI decisions, newest first (without --symbol: the last 7 days).") { symbol, strategy, limit, json };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(symbol), parse.GetValue(strategy), parse.GetValue(limit), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(string? symbolText, string? strategyText, int limit, bool json, CancellationToken cancellationToken)
    {
        string? symbol = null;
        if (symbolText is not null)
        {
            if (!MarketSymbol.TryNormalize(symbolText, out var normalized))
            {
                await Console.Error.WriteLineAsync($"'{symbolText}' is not a BASE/QUOTE symbol, e.g. BTC/USDT.");
                return 2;
            }

            symbol = normalized;
        }

        TradingStrategy? strategy = null;
        if (strategyText is not null)
        {
            if (!TradingStrategies.TryParse(strategyText, out var parsed))
            {
                await Console.Error.WriteLineAsync($"'{strategyText}' is not a strategy ({string.Join(", ", TradingStrategies.Names)}).");
                return 2;
            }

            strategy = parsed;
        }

        if (limit is < 1 or > DecisionQuery.MaxLimit)
        {
            await Console.Error.WriteLineAsync($"--limit must be 1 to {DecisionQuery.MaxLimit}.");
            return 2;
        }

        return await StorageCommand.RunAsync(
            async services =>
            {
                var page = await services.GetRequiredService<IDecisionStore>().QueryAsync(new DecisionQuery(symbol, strategy, Limit: limit), cancellationToken);
                Console.WriteLine(json ? JsonSerializer.Serialize(DecisionListResponse.From(page), ApiJson.Options) : Table(page.Decisions));
            },
            cancellationToken);
    }

    internal static string Table(IReadOnlyList<TradingDecision> decisions)
    {
        if (decisions.Count == 0)
        {
            return "No decisions.";
        }

        var lines = new List<string> { $"{"created (UTC)",-20} {"symbol",-10} {"strategy",-9} {"action",-6} {"conf",5} {"setup",5} {"size%",6} {"entry",14} {"outcome",-8} {"pnl",10} {"model",-14} id" };
        foreach (var d in decisions)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{d.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {d.Symbol,-10} {Lower(d.Strategy),-9} {Lower(d.Action),-6} {d.Confidence,5:0.00} {d.SetupStrength?.ToString("0.00", CultureInfo.InvariantCulture) ?? "-",5} {d.SizePercent,6:0.##} {d.EntryPrice?.ToString(CultureInfo.InvariantCulture) ?? "-",14} {(d.Outcome is { } o ? Lower(o) : "-"),-8} {d.Pnl?.ToString(CultureInfo.InvariantCulture) ?? "-",10} {Cut(d.ModelUsed, 14),-14} {d.Id}"));
            if (d.HoldReason is { Length: > 0 } reason)
            {
                lines.Add($"{string.Empty,22}hold: {Cut(reason, 100)}");
            }
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Lower<T>(T value)
        where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
