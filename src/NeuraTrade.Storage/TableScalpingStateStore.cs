using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Scalping;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// One entity holds the scalper's state. Every change is read-modify-write under the entity's ETag:
/// a 412 (someone else wrote first) or 409 (someone else created it first) re-reads and re-applies.
/// </summary>
/// <remarks>
/// The row as this process last read or wrote it is kept with its ETag, and a change is first applied to that copy: the
/// write is conditional on the ETag, so it only sticks when nobody wrote since, in which case the copy was the latest
/// state and the read it saves would have returned it. Otherwise (412) the row is read and the change re-applied, as
/// before. A scan's changes (its equity peak, its record) thus cost one request each, not two. Reads always read.
/// </remarks>
public sealed class TableScalpingStateStore(TableStore tables, IOptions<ScalpingOptions> options, TimeProvider time) : IScalpingStateStore
{
    private const string Partition = "scalping";
    private const string Row = "state";
    private const int MaxAttempts = 10;

    /// <summary>The row as last read or written here, with its ETag; null before the first read (or after a failed write).</summary>
    private volatile Known? _known;

    public async Task<ScalpingState> GetAsync(CancellationToken cancellationToken) => (await ReadAsync(cancellationToken)).State;

    public async Task<ScalpingState> UpdateAsync(Func<ScalpingState, ScalpingState> change, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag) = attempt == 1 && _known is { } known ? (known.State, (ETag?)known.ETag) : await ReadAsync(cancellationToken);
            var next = change(current) with { UpdatedAt = time.GetUtcNow() };
            var entity = ToEntity(next);
            try
            {
                var written = etag is { } e
                    ? await table.UpdateEntityAsync(entity, e, TableUpdateMode.Replace, cancellationToken)
                    : await table.AddEntityAsync(entity, cancellationToken);
                _known = written.Headers.ETag is { } stored ? new Known(next, stored) : null;
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                _known = null;
                if (attempt > 1)
                {
                    // Backoff is real time on purpose: a fake clock in tests or backtests must not stall a storage retry.
                    // The first miss is only a stale copy: it is read again at once.
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken);
                }
            }
        }
    }

    private async Task<(ScalpingState State, ETag? ETag)> ReadAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            _known = null;
            return (ScalpingState.Initial(options.Value.ActiveByDefault, time.GetUtcNow()), null);
        }

        var state = FromEntity(response.Value!);
        _known = new Known(state, response.Value!.ETag);
        return (state, response.Value!.ETag);
    }

    private sealed record Known(ScalpingState State, ETag ETag);

    private static TableEntity ToEntity(ScalpingState s) => new(Partition, Row)
    {
        ["Active"] = s.Active,
        ["PnlDay"] = s.PnlDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["DailyRealizedPnl"] = Text(s.DailyRealizedPnl),
        ["TotalRealizedPnl"] = Text(s.TotalRealizedPnl),
        ["TradesToday"] = s.TradesToday,
        ["WinsToday"] = s.WinsToday,
        ["LastScanAt"] = s.LastScanAt,
        ["LastScanSummary"] = s.LastScanSummary,
        ["UpdatedAt"] = s.UpdatedAt,
        ["DayPeakEquity"] = Text(s.DayPeakEquity),
        ["AskedToday"] = s.AskedToday,
        ["ScreenedToday"] = s.ScreenedToday,
        ["ArbitrageRealizedToday"] = Text(s.ArbitrageRealizedToday),
    };

    private static ScalpingState FromEntity(TableEntity e) => new(
        e.GetBoolean("Active") ?? false,
        DateOnly.ParseExact(String(e, "PnlDay"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Decimal(e, "DailyRealizedPnl"),
        Decimal(e, "TotalRealizedPnl"),
        e.GetInt32("TradesToday") ?? 0,
        e.GetInt32("WinsToday") ?? 0,
        e.GetDateTimeOffset("LastScanAt"),
        e.GetString("LastScanSummary"),
        e.GetDateTimeOffset("UpdatedAt"))
    {
        // Absent in rows written before the drawdown counted unrealized equity: no peak seen yet.
        DayPeakEquity = OptionalDecimal(e, "DayPeakEquity") ?? 0m,
        // Absent in rows written before the economy screen counted: nothing counted yet today.
        AskedToday = e.GetInt32("AskedToday") ?? 0,
        ScreenedToday = e.GetInt32("ScreenedToday") ?? 0,
        // Absent in rows written before the arbitrage counted in the account's daily loss: nothing counted yet today.
        ArbitrageRealizedToday = OptionalDecimal(e, "ArbitrageRealizedToday") ?? 0m,
    };
}
