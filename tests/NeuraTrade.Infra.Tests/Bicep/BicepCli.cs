using System.Diagnostics;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>Runs the Bicep CLI from the NuGet package. Offline: no registry module is referenced, so nothing is restored.</summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        /// <summary>Everything the CLI said besides the build output: any line here is a diagnostic.</summary>
        public string Diagnostics => StandardError.Trim();

        public override string ToString() => $"exit {ExitCode}\n{StandardError}";
    }

    public static async Task<Result> RunAsync(string workingDirectory, params string[] arguments)
    {
        var bicep = ExecutableBicep();
        var start = new ProcessStartInfo(bicep)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {bicep}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The packaged binary; NuGet extraction does not always keep the execute bit, so it is set here when missing.</summary>
    private static string ExecutableBicep()
    {
        var path = Repository.BicepPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at {path}: run dotnet restore (package Azure.Bicep.CommandLine.linux-x64).", path);
        }

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return path;
    }
}
