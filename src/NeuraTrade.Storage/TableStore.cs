using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace NeuraTrade.Storage;

/// <summary>Hands out table clients, creating each table once per process.</summary>
public sealed class TableStore(TableServiceClient service, IOptions<TableStorageOptions> options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly string _prefix = options.Value.TablePrefix;

    public string AccountName => service.AccountName;

    public Task<TableClient> GetTableAsync(string name, CancellationToken cancellationToken) =>
        _tables.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateAsync(n, cancellationToken))).Value;

    /// <summary>The synchronous twin of <see cref="GetTableAsync"/>, for the rare reader that cannot await (the replay clock's first read).</summary>
    public TableClient GetTable(string name)
    {
        if (_tables.TryGetValue(name, out var known) && known.IsValueCreated && known.Value.IsCompletedSuccessfully)
        {
            return known.Value.Result;
        }

        var client = service.GetTableClient(_prefix + name);
        client.CreateIfNotExists();
        _tables.TryAdd(name, new Lazy<Task<TableClient>>(Task.FromResult(client)));
        return client;
    }

    private async Task<TableClient> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var client = service.GetTableClient(_prefix + name);
        try
        {
            await client.CreateIfNotExistsAsync(cancellationToken);
        }
        catch
        {
            _tables.TryRemove(name, out _);
            throw;
        }

        return client;
    }
}
