using System.Diagnostics;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// Runs an azd hook from infra/hooks under /bin/sh with a stand-in for a CLI (azd, az) first on PATH. The stand-in
/// records each call's arguments (one per field, calls split by a record separator), runs <c>answer</c> (shell lines
/// that may print what the real CLI would, reading <c>$@</c>) and exits with <see cref="ExitCode"/>.
/// </summary>
internal sealed class FakeCommandLine : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("neuratrade-hook-");

    public FakeCommandLine(string command, string answer = "")
    {
        var path = Path.Combine(_directory.FullName, command);
        File.WriteAllText(path, $$"""
            #!/bin/sh
            for argument in "$@"; do printf '%s\037' "$argument"; done >> "$FAKE_CLI_CALLS"
            printf '\036' >> "$FAKE_CLI_CALLS"
            {{answer}}
            exit "${FAKE_CLI_EXIT:-0}"
            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public int ExitCode { get; set; }

    public sealed record Run(int ExitCode, IReadOnlyList<IReadOnlyList<string>> Calls, string Output);

    /// <summary>Runs infra/hooks/<paramref name="script"/> with no AZURE_* variable but those in <paramref name="environment"/>.</summary>
    public async Task<Run> RunHookAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var calls = Path.Combine(_directory.FullName, $"calls-{Guid.NewGuid():N}");
        File.WriteAllText(calls, string.Empty);
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Repository.File("infra", "hooks", script));
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("AZURE_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["PATH"] = $"{_directory.FullName}:{start.Environment["PATH"]}";
        start.Environment["FAKE_CLI_CALLS"] = calls;
        start.Environment["FAKE_CLI_EXIT"] = ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);

        var recorded = File.ReadAllText(calls)
            .Split('\u001e', StringSplitOptions.RemoveEmptyEntries)
            .Select(call => (IReadOnlyList<string>)call.Split('\u001f').SkipLast(1).ToList())
            .ToList();
        return new Run(process.ExitCode, recorded, await stdout + await stderr);
    }

    /// <summary>What `azd env set NAME VALUE` does to the environment azd hands the next hook.</summary>
    public static void ApplyEnvSet(IReadOnlyList<string> call, Dictionary<string, string> environment)
    {
        Assert.Equal(["env", "set"], call.Take(2));
        environment[call[2]] = call[3];
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
