using System.Diagnostics;
using System.Net.Sockets;

namespace NeuraTrade.Cli.LocalHost;

/// <summary>
/// Starts one of Azurite's services (tables, or the queues of the fan-out) from the repository's pinned npm package when
/// nothing listens on its port, and stops it on dispose. Installs the npm packages first when they are missing.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    public const int DefaultTablePort = 10002;

    public const int DefaultQueuePort = 10001;

    /// <summary>Azurite's well-known development account key (public, documented by Microsoft; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process? _process;

    private Azurite(Process? process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>True when this instance started the process (false: something already listened).</summary>
    public bool Started => _process is not null;

    public static string ConnectionString(int port, int? queuePort = null) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        + (queuePort is { } q ? $"QueueEndpoint=http://127.0.0.1:{q}/devstoreaccount1;" : string.Empty);

    /// <summary>The loopback queue port a connection string points at, or null when it points elsewhere (or has no queues).</summary>
    public static int? LocalQueuePort(string connectionString) => LocalPort(connectionString, "QueueEndpoint=", DefaultQueuePort);

    /// <summary>The loopback table port a connection string points at, or null when it points elsewhere.</summary>
    public static int? LocalTablePort(string connectionString) => LocalPort(connectionString, "TableEndpoint=", DefaultTablePort);

    private static int? LocalPort(string connectionString, string endpointKey, int developmentPort)
    {
        if (connectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase))
        {
            return developmentPort;
        }

        var endpoint = connectionString.Split(';').Select(p => p.Trim())
            .FirstOrDefault(p => p.StartsWith(endpointKey, StringComparison.OrdinalIgnoreCase));
        return endpoint is not null
            && Uri.TryCreate(endpoint[endpointKey.Length..], UriKind.Absolute, out var uri)
            && uri.IsLoopback
                ? uri.Port
                : null;
    }

    /// <summary>A loopback port nothing listens on now (for a private Azurite in tests and benchmarks).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Ensures a table endpoint on <paramref name="port"/>. <paramref name="location"/> null keeps data in memory
    /// (tests); otherwise Azurite persists there.
    /// </summary>
    public static Task<Azurite> EnsureAsync(int port, string? location, Action<string> report, CancellationToken cancellationToken) =>
        EnsureAsync("table", port, location, report, cancellationToken);

    /// <summary>Ensures a queue endpoint on <paramref name="port"/> (the same pinned package's <c>azurite-queue</c>).</summary>
    public static Task<Azurite> EnsureQueuesAsync(int port, string? location, Action<string> report, CancellationToken cancellationToken) =>
        EnsureAsync("queue", port, location, report, cancellationToken);

    private static async Task<Azurite> EnsureAsync(string service, int port, string? location, Action<string> report, CancellationToken cancellationToken)
    {
        if (await IsListeningAsync(port, cancellationToken))
        {
            return new Azurite(null, port);
        }

        var executable = await FindOrInstallAsync("azurite-" + service, report, cancellationToken);
        var args = new List<string> { $"--{service}Host", "127.0.0.1", $"--{service}Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--skipApiVersionCheck", "--silent" };
        if (location is null)
        {
            args.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(location);
            args.AddRange(["--location", location]);
        }

        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        args.ForEach(info.ArgumentList.Add);
        report($"Starting Azurite {service}s on 127.0.0.1:{port} ({(location is null ? "in memory" : location)})");
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {executable}.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, port);
        var deadline = Stopwatch.StartNew();
        while (!await IsListeningAsync(port, cancellationToken))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await azurite.DisposeAsync();
                throw new InvalidOperationException($"Azurite did not start listening on 127.0.0.1:{port} (exit code {(process.HasExited ? process.ExitCode : "none")}). Is the port in use?");
            }

            await Task.Delay(100, cancellationToken);
        }

        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            // SIGINT first (as Ctrl+C): Azurite then saves its database; SIGTERM or a kill lose what is not flushed yet.
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            {
                term?.WaitForExit();
            }

            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    /// <summary>The repository folder: the nearest parent holding package.json and NeuraTrade.sln.</summary>
    public static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "NeuraTrade.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static async Task<string> FindOrInstallAsync(string command, Action<string> report, CancellationToken cancellationToken)
    {
        var root = FindRepositoryRoot();
        if (root is not null)
        {
            var local = Path.Combine(root, "node_modules", ".bin", command);
            if (File.Exists(local))
            {
                return local;
            }

            if (FindOnPath("npm") is { } npm)
            {
                report($"Installing the pinned Azurite with npm ci in {root}");
                var info = new ProcessStartInfo(npm) { WorkingDirectory = root, UseShellExecute = false };
                foreach (var arg in new[] { "ci", "--no-audit", "--no-fund" })
                {
                    info.ArgumentList.Add(arg);
                }

                using var install = Process.Start(info)!;
                await install.WaitForExitAsync(cancellationToken);
                if (install.ExitCode == 0 && File.Exists(local))
                {
                    return local;
                }
            }
        }

        return FindOnPath(command)
            ?? throw new InvalidOperationException(
                "Azurite is not installed and could not be installed. Install Node.js and run 'npm ci' in the repository folder, "
                + $"or start Azurite yourself (npx {command}), or set Storage__ConnectionString to a storage account.");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
