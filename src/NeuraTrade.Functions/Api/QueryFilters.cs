using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Functions.Api;

/// <summary>The query-string filters the read endpoints share (journal, performance): each bad value is a 400 naming its parameter.</summary>
internal static class QueryFilters
{
    /// <summary>The optional <c>symbol</c> (normalized, e.g. <c>btc-usdt</c> → <c>BTC/USDT</c>) and <c>strategy</c>.</summary>
    public static (string? Symbol, TradingStrategy? Strategy, IActionResult? Problem) SymbolAndStrategy(IQueryCollection query)
    {
        string? symbol = null;
        if (Value(query, "symbol") is { } rawSymbol)
        {
            if (!MarketSymbol.TryNormalize(rawSymbol, out var normalized))
            {
                return (null, null, ApiResults.BadRequest("symbol", $"'{rawSymbol}' is not a symbol of the form BASE/QUOTE"));
            }

            symbol = normalized;
        }

        TradingStrategy? strategy = null;
        if (Value(query, "strategy") is { } rawStrategy)
        {
            if (!TradingStrategies.TryParse(rawStrategy, out var parsed))
            {
                return (null, null, ApiResults.BadRequest("strategy", $"'{rawStrategy}' is not a strategy ({string.Join(", ", TradingStrategies.Names)})"));
            }

            strategy = parsed;
        }

        return (symbol, strategy, null);
    }

    /// <summary>The optional time <paramref name="name"/> (ISO 8601, UTC when no offset is given).</summary>
    public static (DateTimeOffset? Time, IActionResult? Problem) Time(IQueryCollection query, string name)
    {
        if (Value(query, name) is not { } raw)
        {
            return (null, null);
        }

        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? (time, null)
            : (null, ApiResults.BadRequest(name, $"'{name}' must be an ISO 8601 time such as 2026-03-02T10:00:00Z, not '{raw}'"));
    }

    /// <summary>The first value of <paramref name="name"/>, trimmed; null when absent or blank.</summary>
    public static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;
}
