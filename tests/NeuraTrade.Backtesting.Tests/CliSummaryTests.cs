using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting.Tests;

/// <summary><c>neuratrade backtest</c>'s printed summary names the positions still open and the books' verdict against the paper account.</summary>
public sealed partial class CliSummaryTests
{
    [Fact]
    public async Task The_summary_lists_the_open_position_and_says_the_books_agree()
    {
        // A cut where the bundled run holds a position (the library run; the command's fast path reports the same).
        var span = Bundled.Btc.Take(3000).ToArray();
        // A hold of one 5m candle, the shortest the command accepts on this data.
        var whole = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", span)), hold: TimeSpan.FromMinutes(5));
        var last = Enumerable.Range(0, whole.Equity.Count).First(i => whole.Equity[i].Exposed && i > 100);
        var to = span[last].OpenTime.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

        var dir = Directory.CreateTempSubdirectory("nt-cli-");
        try
        {
            var json = Path.Combine(dir.FullName, "report.json");
            var start = new ProcessStartInfo(CtrlCTests.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.FullName, Environment = { ["Scalping__PositionHoldTime"] = "00:05:00" } };
            foreach (var a in (string[])[CtrlCTests.CliDll(), "backtest", "--data", Bundled.BtcPath, "--to", to, "--json", json])
            {
                start.ArgumentList.Add(a);
            }

            using var cli = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var stdout = cli.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = cli.StandardError.ReadToEndAsync(timeout.Token);
            await cli.WaitForExitAsync(timeout.Token);
            var said = $"\nstdout:\n{await stdout}\nstderr:\n{await stderr}";
            Assert.True(cli.ExitCode == 0, $"exit code {cli.ExitCode}.{said}");

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var open = Assert.Single(document.RootElement.GetProperty("open_positions").EnumerateArray());
            var id = open.GetProperty("id").GetString()!;

            // The table may wrap a value over rows: read the value column of each metric's rows, joined.
            var rows = Rows(await stdout);
            Assert.True(rows.TryGetValue("open at the end", out var listed), said);
            Assert.StartsWith($"1: {id} BTC/USDT long", listed, StringComparison.Ordinal);
            Assert.Equal("none", rows["dust (coins held, closed in books)"]);
            Assert.StartsWith("agree (", rows["books vs paper account"], StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// XMR/BTC in the default USDT account is refused (its limits would mean BTC); funded in BTC explicitly it trades, and
    /// the position it used to hold for 20 days (a remainder below the minimum order) closes: nothing stays open.
    /// </summary>
    [Fact]
    public async Task A_btc_quoted_backtest_needs_the_account_in_btc_and_then_leaves_nothing_open()
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data", "candles", "XMR_BTC-5m.csv");
        var dir = Directory.CreateTempSubdirectory("nt-cli-");
        try
        {
            var json = Path.Combine(dir.FullName, "report.json");
            var (refusedCode, refused) = await RunAsync(dir.FullName, ["backtest", "--data", data], new Dictionary<string, string>());
            Assert.NotEqual(0, refusedCode);
            Assert.Contains("quoted in BTC, but the account's currency (Exchange:QuoteCurrency) is USDT", refused, StringComparison.Ordinal);
            Assert.Contains("Exchange__QuoteCurrency=BTC", refused, StringComparison.Ordinal);

            var btcAccount = new Dictionary<string, string>
            {
                ["Exchange__QuoteCurrency"] = "BTC",
                ["Exchange__StartingBalance"] = "1",
                ["Exchange__MinNotional"] = "0.0001",
                ["Scalping__MinOrderNotional"] = "0.001",
                ["Scalping__MaxPositionSize"] = "0.1",
                ["Scalping__MaxDailyLoss"] = "0.05",
                ["Scalping__MaxDrawdown"] = "0.075",
                ["Scalping__PositionHoldTime"] = "00:05:00",
            };
            var (code, said) = await RunAsync(dir.FullName, ["backtest", "--data", data, "--json", json], btcAccount);
            Assert.True(code == 0, said);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            Assert.True(document.RootElement.GetProperty("metrics").GetProperty("trades").GetInt32() > 0, said);
            Assert.Empty(document.RootElement.GetProperty("open_positions").EnumerateArray());
            Assert.True(document.RootElement.GetProperty("reconciliation").GetProperty("agrees").GetBoolean(), said);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Runs <c>neuratrade</c> with <paramref name="args"/>: the exit code and what it printed (for messages).</summary>
    internal static async Task<(int Code, string Said)> RunAsync(string workingDirectory, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var (code, said, _) = await RunCliAsync(workingDirectory, args, environment);
        return (code, said);
    }

    /// <summary>Runs <c>neuratrade</c> with <paramref name="args"/>: the exit code, what it printed (for messages) and its stdout.</summary>
    internal static async Task<(int Code, string Said, string Stdout)> RunCliAsync(string workingDirectory, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(CtrlCTests.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(CtrlCTests.CliDll());
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var cli = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = cli.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = cli.StandardError.ReadToEndAsync(timeout.Token);
        await cli.WaitForExitAsync(timeout.Token);
        return (cli.ExitCode, $"exit code {cli.ExitCode}\nstdout:\n{await stdout}\nstderr:\n{await stderr}", await stdout);
    }

    /// <summary>The summary table as metric → value, a wrapped row's lines joined (the metric column is blank on continuation lines).</summary>
    internal static Dictionary<string, string> Rows(string printed)
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        string? metric = null;
        foreach (var line in printed.Split('\n'))
        {
            if (TableRow().Match(line) is not { Success: true } row)
            {
                continue;
            }

            var name = row.Groups["metric"].Value.Trim();
            var value = row.Groups["value"].Value.Trim();
            if (name.Length > 0)
            {
                metric = name;
                rows[metric] = value;
            }
            else if (metric is not null)
            {
                rows[metric] = $"{rows[metric]} {value}";
            }
        }

        return rows;
    }

    [GeneratedRegex(@"^│(?<metric>[^│]*)│(?<value>[^│]*)│\s*$")]
    private static partial Regex TableRow();
}
