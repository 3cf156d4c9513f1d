using System.Diagnostics;
using NeuraTrade.Backtesting;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// Needs headless Chromium (.ci/run installs it: apt-get install -y chromium). On a developer machine without it the test
/// is skipped with the reason; where every test must run (<see cref="RequiredTests.Variable"/>, set by .ci/run) it runs and
/// fails, so a CI without a browser can never pass by skipping.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path) && !RequiredTests.All)
        {
            Skip = $"{Path} is not installed (apt-get install -y chromium); .ci/run installs it.";
        }
    }
}

/// <summary>Whether every test must run rather than skip (CI): <c>NEURATRADE_REQUIRE_ALL_TESTS=1</c>.</summary>
internal static class RequiredTests
{
    public const string Variable = "NEURATRADE_REQUIRE_ALL_TESTS";

    public static bool All => Environment.GetEnvironmentVariable(Variable) == "1";
}

public sealed class HtmlReportTests
{
    [Fact]
    public async Task The_html_report_is_one_self_contained_file_with_equity_drawdown_and_trade_markers()
    {
        var report = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", [.. Bundled.Btc])));
        var html = BacktestHtml.Render(report);
        Assert.Contains("<svg id=\"equity\"", html, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"drawdown\"", html, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"price\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"entry\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
    }

    [ChromiumFact]
    public async Task The_html_report_renders_offline_in_headless_chromium()
    {
        var report = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", [.. Bundled.Btc])));
        var dir = Directory.CreateTempSubdirectory("nt-html-");
        try
        {
            var page = System.IO.Path.Combine(dir.FullName, "report.html");
            await BacktestHtml.WriteAsync(report, page, CancellationToken.None);

            var dom = await ChromiumAsync(dir.FullName, "--dump-dom", new Uri(page).AbsoluteUri);
            Assert.Contains("<polyline", dom, StringComparison.Ordinal);
            Assert.Contains("id=\"equity\"", dom, StringComparison.Ordinal);
            Assert.True(report.Trades.Count > 0);
            Assert.Contains(report.Trades[0].DecisionId, dom, StringComparison.Ordinal);

            var png = System.IO.Path.Combine(dir.FullName, "shot.png");
            await ChromiumAsync(dir.FullName, $"--screenshot={png}", "--window-size=1200,1600", new Uri(page).AbsoluteUri);
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.True(bytes.Length > 10_000, $"screenshot is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static async Task<string> ChromiumAsync(string profileRoot, params string[] args)
    {
        var start = new ProcessStartInfo(ChromiumFactAttribute.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={System.IO.Path.Combine(profileRoot, "profile")}"])
        {
            start.ArgumentList.Add(a);
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var chromium = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = chromium.StandardOutput.ReadToEndAsync(timeout.Token);
        _ = chromium.StandardError.ReadToEndAsync(timeout.Token);
        await chromium.WaitForExitAsync(timeout.Token);
        return await stdout;
    }
}
