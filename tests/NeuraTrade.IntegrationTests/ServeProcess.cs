using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NeuraTrade.IntegrationTests;

/// <summary><c>dotnet neuratrade.dll serve</c> on a free loopback port, its settings as environment variables.</summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private int _disposed;

    private ServeProcess(Process process, Uri address, ConcurrentQueue<string> output)
    {
        _process = process;
        Address = address;
        _output = output;
    }

    public Uri Address { get; }

    public static async Task<ServeProcess> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "neuratrade.dll");
        Assert.True(File.Exists(dll), $"neuratrade.dll not found at '{dll}'");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            output.Enqueue(line);
            if (ListeningOn().Match(line) is { Success: true } m)
            {
                listening.TrySetResult(new Uri(m.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                output.Enqueue(line);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("neuratrade serve exited before listening:\n" + string.Join('\n', output)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await listening.Task.WaitAsync(TimeSpan.FromMinutes(2));
            return new ServeProcess(process, address, output);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Every line written to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Lines => [.. _output];

    public override string ToString() => string.Join('\n', _output);

    private static string DotnetHost() =>
        Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : "dotnet";

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:[0-9]+)")]
    private static partial Regex ListeningOn();
}
