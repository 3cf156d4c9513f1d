using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Storage;

/// <summary>
/// Claims in the <c>scanclaims</c> table, one row per key. A free key is taken with insert-if-absent (409 when another
/// process inserted first); a lapsed one is taken over with an ETag-conditional replace (412 when another process
/// took it over first). Release deletes the row only under the claim's own ETag.
/// </summary>
public sealed class TableScanClaimStore(TableStore tables) : IScanClaimStore
{
    /// <summary>Not in <see cref="TableNames"/> (owned elsewhere); prefixed like every table.</summary>
    public const string TableName = "scanclaims";

    private const string Partition = "claim";

    public async Task<ScanClaim?> TryClaimAsync(string key, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var entity = new TableEntity(Partition, key) { ["Owner"] = owner, ["Until"] = until };
        try
        {
            var added = await table.AddEntityAsync(entity, cancellationToken);
            return new ScanClaim(key, owner, until, added.Headers.ETag?.ToString() ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Held, or left behind by a crashed holder: take it over only once its lease lapsed.
        }

        var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: cancellationToken);
        if (!current.HasValue)
        {
            return null; // Released between our insert and read: the next attempt will get it.
        }

        if (current.Value!.GetDateTimeOffset("Until") is { } heldUntil && heldUntil > now)
        {
            return null;
        }

        try
        {
            var replaced = await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Replace, cancellationToken);
            return new ScanClaim(key, owner, until, replaced.Headers.ETag?.ToString() ?? string.Empty);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task<ScanClaim?> RenewAsync(ScanClaim claim, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var entity = new TableEntity(Partition, claim.Key) { ["Owner"] = claim.Owner, ["Until"] = until };
        try
        {
            // Under the claim's own ETag: a claim that lapsed and was taken over (or released) is not renewed.
            var replaced = await table.UpdateEntityAsync(entity, new ETag(claim.Token), TableUpdateMode.Replace, cancellationToken);
            return claim with { Until = until, Token = replaced.Headers.ETag?.ToString() ?? string.Empty };
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    public async Task ReleaseAsync(ScanClaim claim, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        try
        {
            await table.DeleteEntityAsync(Partition, claim.Key, new ETag(claim.Token), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Already gone, or lapsed and taken over by another owner: theirs now.
        }
    }
}
