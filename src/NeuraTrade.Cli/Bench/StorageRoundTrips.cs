using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace NeuraTrade.Cli.Bench;

/// <summary>
/// Counts the Table Storage requests a piece of work waits for: a pipeline policy on the app's table client (the one
/// <c>TableStore</c> hands out; registered as an <see cref="HttpPipelinePolicy"/> service, which the storage composition
/// adds to every attempt) that counts, per <see cref="Begin">scope</see>, the requests sent from that scope's async flow.
/// Work started before the scope (the LLM usage ledger's write-behind loop) is not counted: it is off the path.
/// </summary>
internal sealed class StorageRoundTrips(string tablePrefix) : HttpPipelinePolicy
{
    private readonly AsyncLocal<Scope?> _current = new();

    /// <summary>Starts counting the requests of the calling flow (and of the tasks it starts) until disposed.</summary>
    public Scope Begin()
    {
        var scope = new Scope(this, _current.Value);
        _current.Value = scope;
        return scope;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        _current.Value?.Add(message.Request);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        _current.Value?.Add(message.Request);
        return ProcessNextAsync(message, pipeline);
    }

    /// <summary>The requests counted in one scope, by kind (<c>GET positions</c>, <c>POST $batch</c>, …).</summary>
    internal sealed class Scope(StorageRoundTrips owner, Scope? outer) : IDisposable
    {
        private readonly ConcurrentDictionary<string, int> _byKind = new(StringComparer.Ordinal);
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public IReadOnlyDictionary<string, int> ByKind => new SortedDictionary<string, int>(_byKind, StringComparer.Ordinal);

        public void Dispose() => owner._current.Value = outer;

        internal void Add(Request request)
        {
            Interlocked.Increment(ref _count);
            _byKind.AddOrUpdate($"{request.Method} {owner.Table(request)}", 1, (_, n) => n + 1);
        }

    }

    /// <summary>The table a request path names, without the app's prefix and the keys (<c>/devstoreaccount1/benchab12cd34positions(PartitionKey=…)</c> → <c>positions</c>).</summary>
    private string Table(Request request)
    {
        var last = request.Uri.Path.TrimEnd('/').Split('/')[^1];
        if (last == "$batch" && request.Content is { } content)
        {
            // A transaction names its table in the operations it carries.
            using var body = new MemoryStream();
            content.WriteTo(body, CancellationToken.None);
            var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
            var at = text.IndexOf("/devstoreaccount1/", StringComparison.Ordinal);
            var end = at < 0 ? -1 : text.IndexOfAny([' ', '(', '?', '\r', '\n'], at + 18);
            last = end < 0 ? last : "$batch " + text[(at + 18)..end];
        }

        var paren = last.IndexOf('(', StringComparison.Ordinal);
        var table = paren >= 0 ? last[..paren] : last;
        var prefix = table.StartsWith("$batch ", StringComparison.Ordinal) ? "$batch " + tablePrefix : tablePrefix;
        return table.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? (prefix.StartsWith('$') ? "$batch " : string.Empty) + table[prefix.Length..] : table;
    }
}
