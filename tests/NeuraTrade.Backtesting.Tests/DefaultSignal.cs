using System.Diagnostics;
using System.Globalization;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// Starts a child process with a signal's default disposition, however the tests were launched. A shell starts a
/// background job (<c>dotnet test &amp;</c> from a script) with SIGINT and SIGQUIT ignored, every process under it
/// inherits the ignore, and the CLI rightly keeps an inherited ignore (nohup semantics): a Ctrl-C test would pass only
/// in the foreground. A shell cannot undo an ignore it inherited at its start (POSIX: <c>trap - INT</c> is a no-op
/// there), but GNU env's <c>--default-signal</c> (coreutils 8.31 and later) can: the child runs as
/// <c>env --default-signal=N program args…</c>, and env execs the program in place (same pid).
/// </summary>
internal static class DefaultSignal
{
    private static readonly Lazy<bool> EnvResets = new(ProbeEnv);

    /// <summary>
    /// <paramref name="program"/> with <paramref name="arguments"/>, through env when it can reset the signal;
    /// directly when it cannot and this process does not ignore the signal (the child then gets the default, as
    /// .NET resets handlers, not ignores, for a child). Fails with the reason when neither holds.
    /// </summary>
    public static ProcessStartInfo StartInfo(int signal, string program, IEnumerable<string> arguments)
    {
        ProcessStartInfo start;
        if (EnvResets.Value)
        {
            start = new ProcessStartInfo("env");
            start.ArgumentList.Add($"--default-signal={signal.ToString(CultureInfo.InvariantCulture)}");
            start.ArgumentList.Add(program);
        }
        else
        {
            Assert.False(
                Ignores(Environment.ProcessId, signal) is true,
                $"signal {signal} is ignored in this test process (the tests were started as a background job from a script) and 'env --default-signal' "
                + "(GNU coreutils 8.31 or later) is not available to reset it for the child; run the tests in the foreground or install coreutils.");
            start = new ProcessStartInfo(program);
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    /// <summary>Whether process <paramref name="pid"/> ignores <paramref name="signal"/>, from <c>/proc/pid/status</c> (SigIgn); null where there is no /proc.</summary>
    public static bool? Ignores(int pid, int signal)
    {
        var status = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status";
        if (!OperatingSystem.IsLinux() || !File.Exists(status))
        {
            return null;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    /// <summary>True when <c>env --default-signal</c> runs here (GNU coreutils 8.31+; not busybox or BSD env).</summary>
    private static bool ProbeEnv()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("env", ["--default-signal=2", "true"]) { RedirectStandardError = true, RedirectStandardOutput = true });
            if (probe is null)
            {
                return false;
            }

            probe.WaitForExit();
            return probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
