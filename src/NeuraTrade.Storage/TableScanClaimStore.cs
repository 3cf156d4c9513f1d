using Azure;
using Azure.Data.Tables;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Storage;

/// <summary>
/// Claims in the <c>scanclaims</c> table, one row per key. A free key is taken with insert-if-absent (409 when another
/// process inserted first); a lapsed one is taken over with an ETag-conditional merge (412 when another process
/// took it over first). Release deletes the row only under the claim's own ETag. A row this process knows to exist (kept
/// after it is settled: a symbol's, the interval's) is read and taken over without the insert attempt.
/// The fan-out's progress (<see cref="IFanOutProgress"/>) lives in the same rows: a symbol's claim carries its last
/// settled scan (<c>Scan*</c> columns), which takeovers and renewals merge around and so keep; a message that did not
/// scan writes <c>dropped-{symbol}</c> (<c>Drop*</c> columns); the interval's claim carries what its dispatcher enqueued.
/// Rows written before these columns read as "nothing recorded yet".
/// </summary>
public sealed class TableScanClaimStore(TableStore tables) : IScanClaimStore, IFanOutProgress
{
    /// <summary>Not in <see cref="TableNames"/> (owned elsewhere); prefixed like every table.</summary>
    public const string TableName = "scanclaims";

    private const string Partition = "claim";

    private const string SymbolPrefix = "symbol-";
    private const string DropPrefixKey = "dropped-";
    private const string ScanPrefix = "Scan";
    private const string DropPrefix = "Drop";

    /// <summary>
    /// Keys whose row this process last found or made existing (a symbol's claim and the interval's stay after they are settled):
    /// their claim reads the row and takes it over, without first trying an insert that would only fail (409). A row
    /// released (deleted) since is inserted after that read finds it gone.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _rows = new(StringComparer.Ordinal);

    public async Task<ScanClaim?> TryClaimAsync(string key, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var entity = new TableEntity(Partition, key) { ["Owner"] = owner, ["Until"] = until };
        var known = _rows.ContainsKey(key);
        if (!known)
        {
            try
            {
                var added = await table.AddEntityAsync(entity, cancellationToken);
                _rows[key] = 0;
                return new ScanClaim(key, owner, until, added.Headers.ETag?.ToString() ?? string.Empty);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Held, or left behind by a crashed holder: take it over only once its lease lapsed.
            }
        }

        var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, key, cancellationToken: cancellationToken);
        if (!current.HasValue)
        {
            // Known to exist, but released since (deleted): insert it. Else released between our insert and read: the
            // next attempt will get it.
            _rows.TryRemove(key, out _);
            return known ? await TryClaimAsync(key, owner, now, until, cancellationToken) : null;
        }

        _rows[key] = 0;
        if (current.Value!.GetDateTimeOffset("Until") is { } heldUntil && heldUntil > now)
        {
            return null;
        }

        try
        {
            // Merged: the row's other columns (a symbol's last scan) stay for the status.
            var replaced = await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Merge, cancellationToken);
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
            var replaced = await table.UpdateEntityAsync(entity, new ETag(claim.Token), TableUpdateMode.Merge, cancellationToken);
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
            _rows.TryRemove(claim.Key, out _);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Already gone, or lapsed and taken over by another owner: theirs now.
        }
    }

    public async Task<bool> SettleAsync(ScanClaim claim, DateTimeOffset until, FanOutEvent outcome, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var entity = Event(new TableEntity(Partition, claim.Key) { ["Owner"] = claim.Owner, ["Until"] = until }, ScanPrefix, outcome);
        try
        {
            // One write under the claim's ETag: the claim's new end (the interval's, or now when given back) and the outcome.
            await table.UpdateEntityAsync(entity, new ETag(claim.Token), TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task RecordDropAsync(string symbol, FanOutEvent drop, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        await table.UpsertEntityAsync(Event(new TableEntity(Partition, DropKey(symbol)), DropPrefix, drop), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task RecordDispatchAsync(ScanClaim intervalClaim, int enqueued, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var entity = new TableEntity(Partition, intervalClaim.Key) { ["Enqueued"] = enqueued, ["DispatchedAt"] = at, ["DispatchedOwner"] = intervalClaim.Owner };
        try
        {
            await table.UpdateEntityAsync(entity, new ETag(intervalClaim.Token), TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            // The next interval's dispatcher took the row over already: its count is the one to show.
        }
    }

    public async Task<FanOutSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetTableAsync(TableName, cancellationToken);
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            rows[row.RowKey] = row;
        }

        string? interval = null, by = null;
        int? enqueued = null;
        DateTimeOffset? dispatchedAt = null;
        if (rows.TryGetValue(ScanFanOut.IntervalKey, out var dispatch) && dispatch.GetString("Owner") is { } owner && owner.IndexOf('/', StringComparison.Ordinal) is var slash and > 0)
        {
            interval = owner[..slash];
            by = owner[(slash + 1)..];

            // The count is this dispatcher's only if it wrote it (a takeover merges around the previous one's columns).
            if (dispatch.GetString("DispatchedOwner") == owner)
            {
                enqueued = dispatch.GetInt32("Enqueued");
                dispatchedAt = dispatch.GetDateTimeOffset("DispatchedAt");
            }
        }

        var symbols = new Dictionary<string, FanOutSymbolRow>(StringComparer.Ordinal);
        foreach (var (key, row) in rows.Where(r => r.Key.StartsWith(SymbolPrefix, StringComparison.Ordinal)))
        {
            var dropped = rows.GetValueOrDefault(DropPrefixKey + key);
            symbols[key] = new FanOutSymbolRow(row.GetString("Owner"), row.GetDateTimeOffset("Until"), ReadEvent(row, ScanPrefix), dropped is null ? null : ReadEvent(dropped, DropPrefix));
        }

        foreach (var (key, row) in rows.Where(r => r.Key.StartsWith(DropPrefixKey + SymbolPrefix, StringComparison.Ordinal)))
        {
            var symbolKey = key[DropPrefixKey.Length..];
            if (!symbols.ContainsKey(symbolKey))
            {
                symbols[symbolKey] = new FanOutSymbolRow(null, null, null, ReadEvent(row, DropPrefix));
            }
        }

        return new FanOutSnapshot(interval, by, enqueued, dispatchedAt, symbols);
    }

    /// <summary>The row of a symbol's last dropped message, beside its claim: <c>dropped-symbol-ETH-BTC</c>.</summary>
    private static string DropKey(string symbol) => DropPrefixKey + ScanFanOut.SymbolKey(symbol);

    private static TableEntity Event(TableEntity entity, string prefix, FanOutEvent e)
    {
        entity[prefix + "Interval"] = e.Interval;
        entity[prefix + "At"] = e.At;
        entity[prefix + "Instance"] = e.Instance;
        entity[prefix + "Outcome"] = e.Outcome;

        // A table string holds 32K characters; an outcome is a line or two.
        entity[prefix + "Detail"] = e.Detail.Length > 2000 ? e.Detail[..2000] : e.Detail;
        entity[prefix + "DecisionId"] = e.DecisionId ?? string.Empty; // Merged: an empty value, not a missing one, clears the last
        return entity;
    }

    /// <summary>Null for a row with no such event (a claim row written before the progress columns, or not settled yet).</summary>
    private static FanOutEvent? ReadEvent(TableEntity row, string prefix) =>
        row.GetString(prefix + "Interval") is { } interval && row.GetDateTimeOffset(prefix + "At") is { } at
            ? new FanOutEvent(interval, at, row.GetString(prefix + "Instance") ?? string.Empty, row.GetString(prefix + "Outcome") ?? string.Empty, row.GetString(prefix + "Detail") ?? string.Empty, row.GetString(prefix + "DecisionId") is { Length: > 0 } id ? id : null)
            : null;
}
