using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using NeuraTrade.Core.Learning;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>neuratrade performance [--symbol S] [--strategy S] [--model M] [--from T] [--to T] [--json]</c>: the learning
/// system's statistics and calibration of the stored outcomes, as tables or as the API's JSON
/// (<c>GET /api/v1/ai/performance</c>). Without <c>--from</c> every stored outcome up to <c>--to</c> (default now) counts:
/// a paper replay's outcomes carry market time, which the command cannot know. Parameters are checked as the API checks them.
/// </summary>
internal static class PerformanceCommand
{
    /// <summary>The start of "every outcome" when no <c>--from</c> is given.</summary>
    private const string Beginning = "2000-01-01T00:00:00Z";

    public static Command Create()
    {
        var symbol = new Option<string?>("--symbol") { Description = "Only this symbol, e.g. BTC/USDT." };
        var strategy = new Option<string?>("--strategy") { Description = "Only this strategy (scalping, arbitrage, analysis)." };
        var model = new Option<string?>("--model") { Description = "Only this model, e.g. rules-v1." };
        var from = new Option<string?>("--from") { Description = "Resolved at or after this ISO 8601 time (default: every stored outcome)." };
        var to = new Option<string?>("--to") { Description = "Resolved at or before this ISO 8601 time (default: now)." };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON." };
        var command = new Command("performance", "Print win rate, profit factor, expectancy, drawdown and confidence calibration per symbol, strategy, model and hour.") { symbol, strategy, model, from, to, json };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(symbol), parse.GetValue(strategy), parse.GetValue(model), parse.GetValue(from), parse.GetValue(to), parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(string? symbol, string? strategy, string? model, string? from, string? to, bool json, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, StringValues>(StringComparer.Ordinal) { ["from"] = from ?? Beginning };
        foreach (var (name, value) in new[] { ("symbol", symbol), ("strategy", strategy), ("model", model), ("to", to) })
        {
            if (value is not null)
            {
                values[name] = value;
            }
        }

        var (query, problem) = PerformanceQueries.Read(new QueryCollection(values), TimeProvider.System.GetUtcNow());
        if (problem is not null)
        {
            await Console.Error.WriteLineAsync(((Microsoft.AspNetCore.Mvc.ContentResult)problem).Content);
            return 2;
        }

        return await StorageCommand.RunAsync(
            async services =>
            {
                var outcomes = await services.GetRequiredService<IOutcomeStore>().QueryAsync(query!, cancellationToken);
                var response = PerformanceResponse.Of(query!, outcomes);
                Console.WriteLine(json ? JsonSerializer.Serialize(response, ApiJson.Options) : Text(response));
            },
            cancellationToken);
    }

    internal static string Text(PerformanceResponse r)
    {
        if (r.Outcomes == 0)
        {
            return "No resolved decisions in the span.";
        }

        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Outcomes} resolved decisions{(r.Truncated ? " (the newest only)" : string.Empty)}: {string.Join(", ", r.Resolutions.Select(p => $"{p.Value} {p.Key}"))}"));
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"group",-22} {"trades",6} {"win %",8} {"net PnL",14} {"avg win",12} {"avg loss",12} {"PF",8} {"expect.",12} {"max DD",12} {"hold min",9}"));
        Row(text, "all", r.Overall);
        foreach (var (title, groups) in new[] { ("symbol", r.BySymbol), ("strategy", r.ByStrategy), ("model", r.ByModel), ("side", r.BySide), ("hour", r.ByHour) })
        {
            foreach (var g in groups)
            {
                Row(text, $"{title} {g.Key}", g.Stats);
            }
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"exit reasons: {string.Join(", ", r.Overall.ExitReasons.Select(p => $"{p.Key} {p.Value}"))}"));
        foreach (var (key, table) in new[] { ("all", r.Calibration) }.Concat(r.CalibrationByModel.Select(c => ($"model {c.Key}", c.Table))).Concat(r.CalibrationByStrategy.Select(c => ($"strategy {c.Key}", c.Table))))
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"calibration {key}: {table.Count} trades, Brier {table.BrierScore:0.####}, calibration error {table.ExpectedCalibrationError:0.####}"));
            foreach (var b in table.Buckets)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"  {b.From:0.0}-{b.To:0.0}  {b.Count,5} trades  stated {b.MeanConfidence:0.###}  won {b.WinRate:0.###}  95% {b.Low95:0.###}-{b.High95:0.###}"));
            }
        }

        return text.ToString().TrimEnd();
    }

    private static void Row(StringBuilder text, string name, PerformanceStats s) =>
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{(name.Length > 22 ? name[..22] : name),-22} {s.Trades,6} {s.WinRatePercent,8:0.##} {Math.Round(s.NetPnl, 6),14} {s.AverageWin,12:0.######} {s.AverageLoss,12:0.######} {(s.ProfitFactor is { } pf ? pf.ToString("0.###", CultureInfo.InvariantCulture) : "n/a"),8} {s.Expectancy,12:0.######} {Math.Round(s.MaxDrawdown, 6),12} {s.AverageHoldMinutes,9:0.#}"));
}
