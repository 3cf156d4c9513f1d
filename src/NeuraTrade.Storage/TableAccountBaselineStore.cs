using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Trading;
using static NeuraTrade.Storage.EntityValues;

namespace NeuraTrade.Storage;

/// <summary>
/// The account baseline is one row of <c>scalpingstate</c> (partition <c>scalping</c>, row <c>baseline</c>, next to the
/// state row, which older code reads by its own key only). Recorded with insert-if-absent (409: another process recorded
/// first, whose row is read back and wins); rolled forward with an ETag-conditional replace (412 or 404: changed or
/// deleted meanwhile). Balances are a JSON object of currency to invariant decimal string. Delete the row to record a new
/// baseline at the next scan.
/// </summary>
public sealed class TableAccountBaselineStore(TableStore tables) : IAccountBaselineStore
{
    public const string Partition = "scalping";
    public const string Row = "baseline";

    public async Task<AccountBaseline?> GetAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<AccountBaseline> AddIfAbsentAsync(AccountBaseline baseline, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        try
        {
            var added = await table.AddEntityAsync(ToEntity(baseline), cancellationToken);
            return baseline with { Version = added.Headers.ETag?.ToString() ?? string.Empty };
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Recorded first by another process: that one is the baseline. Deleted again in between: ours is absent, say so.
            return await GetAsync(cancellationToken)
                ?? throw new InvalidOperationException("the account baseline was recorded by another process and deleted again before it could be read; the next scan records one");
        }
    }

    public async Task<bool> ReplaceAsync(AccountBaseline current, AccountBaseline next, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableNames.ScalpingState, cancellationToken);
        try
        {
            await table.UpdateEntityAsync(ToEntity(next), new ETag(current.Version), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    private static TableEntity ToEntity(AccountBaseline b) => new(Partition, Row)
    {
        ["PositionsSince"] = b.PositionsSince,
        ["RecordedAt"] = b.RecordedAt,
        ["Balances"] = JsonSerializer.Serialize(b.Balances.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => Text(kv.Value))),
    };

    private static AccountBaseline FromEntity(TableEntity e)
    {
        var balances = JsonSerializer.Deserialize<Dictionary<string, string>>(String(e, "Balances"))
            ?? throw new InvalidDataException($"entity {e.PartitionKey}/{e.RowKey} has no balances");
        return new AccountBaseline(
            Time(e, "PositionsSince"),
            Time(e, "RecordedAt"),
            balances.ToDictionary(kv => kv.Key, kv => decimal.Parse(kv.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal),
            e.ETag.ToString());
    }
}
