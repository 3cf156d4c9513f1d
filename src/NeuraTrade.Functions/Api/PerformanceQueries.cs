using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Learning;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Functions.Api;

/// <summary>
/// <c>GET /api/v1/ai/performance</c> response: the filters and span read, how many outcomes were judged (<c>truncated</c>
/// when the span held more than <see cref="OutcomeQuery.MaxLimit"/>: the newest were judged), the statistics overall and
/// per symbol, strategy, model, hour (UTC) and side, how the decisions resolved, and the calibration overall, per model and
/// per strategy.
/// </summary>
public sealed record PerformanceResponse(
    string? Symbol,
    string? Strategy,
    string? Model,
    DateTimeOffset From,
    DateTimeOffset To,
    int Outcomes,
    bool Truncated,
    PerformanceStats Overall,
    IReadOnlyList<PerformanceGroup> BySymbol,
    IReadOnlyList<PerformanceGroup> ByStrategy,
    IReadOnlyList<PerformanceGroup> ByModel,
    IReadOnlyList<PerformanceGroup> ByHour,
    IReadOnlyList<PerformanceGroup> BySide,
    IReadOnlyDictionary<string, int> Resolutions,
    CalibrationTable Calibration,
    IReadOnlyList<CalibrationGroup> CalibrationByModel,
    IReadOnlyList<CalibrationGroup> CalibrationByStrategy)
{
    public static PerformanceResponse Of(OutcomeQuery query, IReadOnlyList<TradeOutcome> outcomes)
    {
        var r = PerformanceStatistics.Report(outcomes);
        return new PerformanceResponse(
            query.Symbol,
            query.Strategy is { } s ? PerformanceStatistics.StrategyName(s) : null,
            query.Model,
            query.From!.Value,
            query.To!.Value,
            outcomes.Count,
            outcomes.Count >= query.Limit,
            r.Overall,
            r.BySymbol,
            r.ByStrategy,
            r.ByModel,
            r.ByHour,
            r.BySide,
            r.Resolutions,
            r.Calibration,
            r.CalibrationByModel,
            r.CalibrationByStrategy);
    }
}

/// <summary>Reads the performance query string; every bad value is a 400 naming its parameter.</summary>
public static class PerformanceQueries
{
    /// <summary>Without <c>from</c>, the span is the 30 days up to <c>to</c> (default now).</summary>
    public static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(30);

    /// <summary>The longest model name accepted (the journal's model names are far shorter).</summary>
    public const int MaxModelLength = 200;

    public static (OutcomeQuery? Query, IActionResult? Problem) Read(IQueryCollection query, DateTimeOffset now)
    {
        var (symbol, strategy, badFilter) = QueryFilters.SymbolAndStrategy(query);
        if (badFilter is not null)
        {
            return (null, badFilter);
        }

        var model = QueryFilters.Value(query, "model");
        if (model is not null && (model.Length > MaxModelLength || model.Any(char.IsControl)))
        {
            return Bad("model", $"'model' must be a model name of at most {MaxModelLength} printable characters");
        }

        var (from, badFrom) = QueryFilters.Time(query, "from");
        var (to, badTo) = QueryFilters.Time(query, "to");
        if ((badFrom ?? badTo) is { } badTime)
        {
            return (null, badTime);
        }

        var end = to ?? now;
        var start = from ?? end - DefaultSpan;
        if (start > end)
        {
            return Bad("from", "'from' is after 'to'");
        }

        return (new OutcomeQuery(symbol, strategy, model, start, end, OutcomeQuery.MaxLimit), null);
    }

    private static (OutcomeQuery?, IActionResult?) Bad(string field, string message) => (null, ApiResults.BadRequest(field, message));
}
