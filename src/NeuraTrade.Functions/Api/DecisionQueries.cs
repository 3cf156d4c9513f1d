using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Functions.Api;

/// <summary><c>GET /api/v1/ai/decisions</c> response: a page, newest first; pass <c>next_cursor</c> back as <c>cursor</c>.</summary>
public sealed record DecisionListResponse(IReadOnlyList<DecisionResponse> Decisions, int Count, string? NextCursor)
{
    public static DecisionListResponse From(DecisionPage page) =>
        new(page.Decisions.Select(DecisionResponse.From).ToList(), page.Decisions.Count, page.NextCursor);
}

/// <summary>Reads the journal query string; every bad value is a 400 naming its parameter.</summary>
public static class DecisionQueries
{
    public static (DecisionQuery? Query, IActionResult? Problem) Read(IQueryCollection query)
    {
        var (symbol, strategy, badFilter) = QueryFilters.SymbolAndStrategy(query);
        if (badFilter is not null)
        {
            return (null, badFilter);
        }

        var (from, badFrom) = QueryFilters.Time(query, "from");
        var (to, badTo) = QueryFilters.Time(query, "to");
        if ((badFrom ?? badTo) is { } badTime)
        {
            return (null, badTime);
        }

        if (from is { } f && to is { } t && f > t)
        {
            return Bad("from", "'from' is after 'to'");
        }

        if (symbol is null && from is { } start && to is { } end && (end - start).TotalDays >= DecisionQuery.MaxDaysWithoutSymbol)
        {
            return Bad("from", $"without a symbol the range spans at most {DecisionQuery.MaxDaysWithoutSymbol} days");
        }

        var limit = DecisionQuery.DefaultLimit;
        if (QueryFilters.Value(query, "limit") is { } rawLimit
            && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > DecisionQuery.MaxLimit))
        {
            return Bad("limit", $"'limit' must be a whole number from 1 to {DecisionQuery.MaxLimit}, not '{rawLimit}'");
        }

        var cursor = QueryFilters.Value(query, "cursor");
        if (cursor is not null && !IsKeySafe(cursor, 120))
        {
            return Bad("cursor", "'cursor' is not a cursor this API returned");
        }

        return (new DecisionQuery(symbol, strategy, from, to, limit, cursor), null);
    }

    /// <summary>Ids are the journal's own (letters, digits, '-' and '_').</summary>
    public static bool IsDecisionId(string? id) => id is not null && IsKeySafe(id, 64);

    private static bool IsKeySafe(string text, int maxLength) =>
        text.Length > 0 && text.Length <= maxLength && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static (DecisionQuery?, IActionResult?) Bad(string field, string message) => (null, ApiResults.BadRequest(field, message));
}
