using System.Globalization;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>
/// What to list of the closed trades: the UTC days they closed on (<paramref name="From"/> to <paramref name="To"/>, both
/// included), optionally one symbol, a page of at most <paramref name="Limit"/>, after <paramref name="Cursor"/> (the
/// <see cref="TradePage.NextCursor"/> of the page before).
/// </summary>
public sealed record TradeQuery(DateOnly From, DateOnly To, string? Symbol = null, int Limit = TradeQuery.DefaultLimit, string? Cursor = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The widest span one query reads (one table partition per day).</summary>
    public const int MaxDays = 366;
}

/// <summary>A page of closed trades, oldest close first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record TradePage(IReadOnlyList<Position> Trades, string? NextCursor);

/// <summary>
/// The closed trades for audit and tax (<c>GET /api/v1/ai/trades</c>, <c>neuratrade trades</c>): every closed part with
/// its decision, entry and exit, fees and PnL, oldest close first, in pages. Reads the trade store one closing day at a
/// time; a cursor names the last trade returned (its close time and id), so pages neither skip nor repeat a trade.
/// </summary>
public sealed class TradeHistory(IPositionStore positions)
{
    public async Task<TradePage> QueryAsync(TradeQuery query, CancellationToken cancellationToken)
    {
        if (query.To < query.From || query.To.DayNumber - query.From.DayNumber >= TradeQuery.MaxDays)
        {
            throw new ArgumentException($"the span must run forward and cover at most {TradeQuery.MaxDays} days", nameof(query));
        }

        var after = query.Cursor is null ? ((long Ticks, string Id)?)null : ParseCursor(query.Cursor);
        var first = after is { } c ? Max(query.From, DateOnly.FromDateTime(new DateTime(c.Ticks, DateTimeKind.Utc))) : query.From;
        var page = new List<Position>(Math.Min(query.Limit, 256));
        for (var day = first; day <= query.To; day = day.AddDays(1))
        {
            var closed = (await positions.GetClosedAsync(day, cancellationToken))
                .Where(p => p.ClosedAt is not null && p.ExitPrice is not null && (query.Symbol is null || p.Symbol == query.Symbol))
                .OrderBy(p => p.ClosedAt!.Value.UtcTicks)
                .ThenBy(p => p.Id, StringComparer.Ordinal);
            foreach (var trade in closed)
            {
                if (after is { } a && Compare(trade, a) <= 0)
                {
                    continue;
                }

                if (page.Count == query.Limit)
                {
                    return new TradePage(page, Cursor(page[^1]));
                }

                page.Add(trade);
            }
        }

        return new TradePage(page, null);
    }

    /// <summary>Whether <paramref name="cursor"/> has the shape this class writes.</summary>
    public static bool IsCursor(string cursor)
    {
        var cut = cursor.IndexOf('_', StringComparison.Ordinal);
        return cut > 0 && cut < cursor.Length - 1 && cursor.Length <= 200
            && long.TryParse(cursor.AsSpan(0, cut), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks <= DateTime.MaxValue.Ticks
            && cursor[(cut + 1)..].All(ch => !char.IsControl(ch) && !char.IsWhiteSpace(ch));
    }

    private static string Cursor(Position last) =>
        string.Create(CultureInfo.InvariantCulture, $"{last.ClosedAt!.Value.UtcTicks}_{last.Id}");

    private static (long Ticks, string Id) ParseCursor(string cursor)
    {
        if (!IsCursor(cursor))
        {
            throw new ArgumentException("not a cursor this history returned", nameof(cursor));
        }

        var cut = cursor.IndexOf('_', StringComparison.Ordinal);
        return (long.Parse(cursor.AsSpan(0, cut), NumberStyles.None, CultureInfo.InvariantCulture), cursor[(cut + 1)..]);
    }

    private static int Compare(Position trade, (long Ticks, string Id) cursor)
    {
        var byTime = trade.ClosedAt!.Value.UtcTicks.CompareTo(cursor.Ticks);
        return byTime != 0 ? byTime : string.CompareOrdinal(trade.Id, cursor.Id);
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
