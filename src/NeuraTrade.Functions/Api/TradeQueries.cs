using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Functions.Api;

/// <summary>One closed trade (a closed part of a position) as the trade history shows it.</summary>
public sealed record TradeResponse(
    string PositionId,
    string DecisionId,
    string Symbol,
    PositionSide Side,
    decimal Amount,
    DateTimeOffset EntryTime,
    decimal EntryPrice,
    string EntryFees,
    DateTimeOffset ExitTime,
    decimal ExitPrice,
    string ExitFees,
    decimal EntryFee,
    decimal ExitFee,
    decimal Pnl,
    decimal? PnlPercent,
    decimal AccountPnl,
    ExitReason? ExitReason,
    double HoldMinutes)
{
    /// <summary>The columns of the CSV, in order (the JSON's names).</summary>
    public static readonly string[] Columns =
    [
        "position_id", "decision_id", "symbol", "side", "amount", "entry_time", "entry_price", "entry_fees", "exit_time", "exit_price", "exit_fees",
        "entry_fee", "exit_fee", "pnl", "pnl_percent", "account_pnl", "exit_reason", "hold_minutes",
    ];

    public static TradeResponse From(Position p) => new(
        p.Id,
        p.DecisionId,
        p.Symbol,
        p.Side,
        p.Amount,
        p.OpenedAt,
        p.EntryPrice,
        Fees(p.EntryCharges),
        p.ClosedAt!.Value,
        p.ExitPrice!.Value,
        Fees(p.ExitCharges),
        p.EntryFee,
        p.ExitFee ?? 0m,
        p.RealizedPnl!.Value,
        p.RealizedPnlPercent is { } percent ? Math.Round(percent, 6) : null,
        p.AccountPnl!.Value,
        p.ExitReason,
        Math.Round((p.ClosedAt!.Value - p.OpenedAt).TotalMinutes, 4));

    /// <summary>The exit reason as the JSON writes it (<c>stop_loss</c>), empty when none.</summary>
    [JsonIgnore]
    public string ExitReasonName => ExitReason is { } reason ? JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString()) : string.Empty;

    /// <summary>The row of the CSV, in <see cref="Columns"/> order.</summary>
    public IEnumerable<string> Cells()
    {
        var i = CultureInfo.InvariantCulture;
        yield return PositionId;
        yield return DecisionId;
        yield return Symbol;
        yield return Lower(Side.ToString());
        yield return Amount.ToString(i);
        yield return EntryTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", i);
        yield return EntryPrice.ToString(i);
        yield return EntryFees;
        yield return ExitTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", i);
        yield return ExitPrice.ToString(i);
        yield return ExitFees;
        yield return EntryFee.ToString(i);
        yield return ExitFee.ToString(i);
        yield return Pnl.ToString(i);
        yield return PnlPercent?.ToString(i) ?? string.Empty;
        yield return AccountPnl.ToString(i);
        yield return ExitReasonName;
        yield return HoldMinutes.ToString(i);
    }

    /// <summary>Fees with their currencies, <c>0.0000019 BTC; 0.1 USDT</c>, empty when none.</summary>
    private static string Fees(IEnumerable<Core.Trading.FeeCharge> charges) => string.Join("; ", charges.Select(c => c.ToString()));

    private static string Lower(string text) => text.ToLowerInvariant();
}

/// <summary><c>GET /api/v1/ai/trades</c> response: a page, oldest close first; pass <c>next_cursor</c> back as <c>cursor</c>.</summary>
public sealed record TradeListResponse(IReadOnlyList<TradeResponse> Trades, int Count, string? NextCursor)
{
    public static TradeListResponse From(TradePage page) => new(page.Trades.Select(TradeResponse.From).ToList(), page.Trades.Count, page.NextCursor);

    /// <summary>The page as CSV: a header of <see cref="TradeResponse.Columns"/>, then one line per trade.</summary>
    public string ToCsv()
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', TradeResponse.Columns).Append("\r\n");
        foreach (var trade in Trades)
        {
            csv.AppendJoin(',', trade.Cells().Select(Escape)).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled.</summary>
    private static string Escape(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : cell;
}

/// <summary>Reads the trade history's query string; every bad value is a 400 naming its parameter.</summary>
public static class TradeQueries
{
    /// <summary>Days listed when <c>from</c> is not given: the week up to <c>to</c>.</summary>
    public const int DefaultDays = 7;

    public static (TradeQuery? Query, bool Csv, IActionResult? Problem) Read(IQueryCollection query, DateTimeOffset now)
    {
        var csv = false;
        if (Value(query, "format") is { } format)
        {
            if (format is not ("json" or "csv"))
            {
                return Bad("format", $"'format' must be json or csv, not '{format}'");
            }

            csv = format == "csv";
        }

        string? symbol = null;
        if (Value(query, "symbol") is { } rawSymbol)
        {
            if (!MarketSymbol.TryNormalize(rawSymbol, out var normalized))
            {
                return Bad("symbol", $"'{rawSymbol}' is not a symbol of the form BASE/QUOTE");
            }

            symbol = normalized;
        }

        var (to, badTo) = Day(query, "to");
        var (from, badFrom) = Day(query, "from");
        if ((badFrom ?? badTo) is { } badDay)
        {
            return (null, csv, badDay);
        }

        var last = to ?? DateOnly.FromDateTime(now.UtcDateTime);
        var first = from ?? last.AddDays(1 - DefaultDays);
        if (first > last)
        {
            return Bad("from", "'from' is after 'to'");
        }

        if (last.DayNumber - first.DayNumber >= TradeQuery.MaxDays)
        {
            return Bad("from", $"one query spans at most {TradeQuery.MaxDays} days; page through longer spans in parts");
        }

        var limit = TradeQuery.DefaultLimit;
        if (Value(query, "limit") is { } rawLimit
            && (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > TradeQuery.MaxLimit))
        {
            return Bad("limit", $"'limit' must be a whole number from 1 to {TradeQuery.MaxLimit}, not '{rawLimit}'");
        }

        var cursor = Value(query, "cursor");
        if (cursor is not null && !TradeHistory.IsCursor(cursor))
        {
            return Bad("cursor", "'cursor' is not a cursor this API returned");
        }

        return (new TradeQuery(first, last, symbol, limit, cursor), csv, null);

        (TradeQuery?, bool, IActionResult?) Bad(string field, string message) => (null, csv, ApiResults.BadRequest(field, message));
    }

    /// <summary>A UTC day: <c>2026-03-02</c>, or an ISO 8601 time whose UTC day is taken.</summary>
    private static (DateOnly? Day, IActionResult? Problem) Day(IQueryCollection query, string name)
    {
        if (Value(query, name) is not { } raw)
        {
            return (null, null);
        }

        if (DateOnly.TryParseExact(raw, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return (day, null);
        }

        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? (DateOnly.FromDateTime(time.UtcDateTime), null)
            : (null, ApiResults.BadRequest(name, $"'{name}' must be a UTC day such as 2026-03-02 (or an ISO 8601 time), not '{raw}'"));
    }

    private static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;
}
