using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>neuratrade trades [--from DAY] [--to DAY] [--symbol S] [--csv|--json]</c>: every closed trade in the span (UTC days,
/// the last 7 by default), oldest close first, as a table, CSV (the API's <c>format=csv</c>, for audit and tax) or the
/// API's JSON. Reads the same storage settings as <c>serve</c>; the span and symbol are checked as the API checks them.
/// </summary>
internal static class TradesCommand
{
    public static Command Create()
    {
        var from = new Option<string?>("--from") { Description = "First UTC day, e.g. 2026-03-01 (default: 6 days before --to)." };
        var to = new Option<string?>("--to") { Description = "Last UTC day (default: today)." };
        var symbol = new Option<string?>("--symbol") { Description = "Only this symbol, e.g. BTC/USDT." };
        var csv = new Option<bool>("--csv") { Description = "Print CSV (one header, one line per trade)." };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON (all pages in one list)." };
        var command = new Command("trades", "Print closed trades with their decision, entry and exit, fees and PnL (oldest close first).") { from, to, symbol, csv, json };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(from), parse.GetValue(to), parse.GetValue(symbol), parse.GetValue(csv), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(string? from, string? to, string? symbol, bool csv, bool json, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal) { ["limit"] = TradeQuery.MaxLimit.ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, value) in new[] { ("from", from), ("to", to), ("symbol", symbol) })
        {
            if (value is not null)
            {
                values[name] = value;
            }
        }

        var (query, _, problem) = TradeQueries.Read(new QueryCollection(values), TimeProvider.System.GetUtcNow());
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync(((Microsoft.AspNetCore.Mvc.ContentResult)problem).Content);
            return 2;
        }

        return await StorageCommand.RunAsync(
            async services =>
            {
                var history = new TradeHistory(services.GetRequiredService<IPositionStore>());
                var trades = new List<Position>();
                for (var page = await history.QueryAsync(query!, cancellationToken); ; page = await history.QueryAsync(query! with { Cursor = page.NextCursor }, cancellationToken))
                {
                    trades.AddRange(page.Trades);
                    if (page.NextCursor is null)
                    {
                        break;
                    }
                }

                var all = TradeListResponse.From(new TradePage(trades, null));
                Console.Write(csv ? all.ToCsv() : (json ? JsonSerializer.Serialize(all, ApiJson.Options) : Table(all.Trades)) + Environment.NewLine);
            },
            cancellationToken);
    }

    internal static string Table(IReadOnlyList<TradeResponse> trades)
    {
        if (trades.Count == 0)
        {
            return "No closed trades in the span.";
        }

        var lines = new List<string> { $"{"closed (UTC)",-20} {"symbol",-10} {"side",-5} {"amount",12} {"entry",14} {"exit",14} {"pnl",12} {"reason",-12} decision" };
        lines.AddRange(trades.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{t.ExitTime.UtcDateTime:yyyy-MM-dd HH:mm:ss}  {t.Symbol,-10} {t.Side.ToString().ToLowerInvariant(),-5} {t.Amount,12} {t.EntryPrice,14} {t.ExitPrice,14} {Math.Round(t.Pnl, 8),12} {t.ExitReasonName,-12} {t.DecisionId}")));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"{trades.Count} trades, PnL {Math.Round(trades.Sum(t => t.AccountPnl), 8)} (account currency)"));
        return string.Join(Environment.NewLine, lines);
    }
}
