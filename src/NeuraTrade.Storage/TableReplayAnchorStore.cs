using System.Globalization;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Markets;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The paper replay's anchor is one row of <c>scalpingstate</c> (partition <c>replay</c>, row <c>anchor</c>): the wall
/// instant and the market instant it shows, the speed, the lap and its data offset, and the first candle of the data it
/// was made for. Instants are stored as UTC ticks (exact, whatever the service's date precision). The first process
/// inserts it (409: another one did, whose row wins); a new lap or a changed speed replaces it under its ETag. Delete
/// the row to start the replay again from the first candle. A second replay clock (the arbitrage venues') keeps its
/// anchor in its own row of the same partition (<paramref name="row"/>).
/// </summary>
public sealed class TableReplayAnchorStore(TableStore tables, string row = TableReplayAnchorStore.Row) : IReplayAnchorStore
{
    public const string Partition = "replay";
    public const string Row = "anchor";

    public StoredReplayAnchor? Get()
    {
        var response = tables.GetTable(TableNames.ScalpingState).GetEntityIfExists<TableEntity>(Partition, row);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public StoredReplayAnchor? TryAdd(ReplayAnchor anchor)
    {
        try
        {
            var added = tables.GetTable(TableNames.ScalpingState).AddEntity(ToEntity(anchor));
            return new StoredReplayAnchor(anchor, added.Headers.ETag?.ToString() ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
    }

    public StoredReplayAnchor? TryReplace(StoredReplayAnchor current, ReplayAnchor next)
    {
        try
        {
            var replaced = tables.GetTable(TableNames.ScalpingState).UpdateEntity(ToEntity(next), new ETag(current.Version), TableUpdateMode.Replace);
            return new StoredReplayAnchor(next, replaced.Headers.ETag?.ToString() ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<StoredReplayAnchor?> GetAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, row, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<StoredReplayAnchor?> TryReplaceAsync(StoredReplayAnchor current, ReplayAnchor next, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        try
        {
            var replaced = await table.UpdateEntityAsync(ToEntity(next), new ETag(current.Version), TableUpdateMode.Replace, cancellationToken);
            return new StoredReplayAnchor(next, replaced.Headers.ETag?.ToString() ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    private TableEntity ToEntity(ReplayAnchor a) => new(Partition, row)
    {
        ["WallTicks"] = Ticks(a.Wall),
        ["MarketTicks"] = Ticks(a.Market),
        ["Speed"] = a.Speed,
        ["DataOffsetTicks"] = a.DataOffset.Ticks.ToString(CultureInfo.InvariantCulture),
        ["Lap"] = a.Lap,
        ["DataStartTicks"] = Ticks(a.DataStart),
    };

    private static StoredReplayAnchor FromEntity(TableEntity e) => new(
        new ReplayAnchor(
            Instant(e, "WallTicks"),
            Instant(e, "MarketTicks"),
            e.GetDouble("Speed") ?? throw new InvalidDataException($"entity {e.PartitionKey}/{e.RowKey} has no Speed"),
            TimeSpan.FromTicks(long.Parse(String(e, "DataOffsetTicks"), CultureInfo.InvariantCulture)),
            e.GetInt32("Lap") ?? 0,
            Instant(e, "DataStartTicks")),
        e.ETag.ToString());

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(TableEntity e, string name) => new(long.Parse(String(e, name), CultureInfo.InvariantCulture), TimeSpan.Zero);
}
