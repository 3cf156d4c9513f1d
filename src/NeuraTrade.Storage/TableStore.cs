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
