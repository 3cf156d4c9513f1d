using System.Diagnostics;
using System.Text.Json;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// Every indicator the engine, the rules brain and the prompts use, against the npm package technicalindicators
/// 3.1.0 (installed by <c>npm ci</c>), over every window of 60 closed candles (the engine's <c>AI:HistoryCandles</c>)
/// of the bundled BTC/USDT data.
/// </summary>
public sealed class IndicatorPeerTests
{
    private const int Window = 60;
    private const double Relative = 1e-9;

    [Fact]
    public void Ema_atr_rsi_and_momentum_match_technicalindicators_on_bundled_btc()
    {
        var peer = RunPeer();
        var candles = Bundled.Btc;
        Assert.Equal(candles.Count - Window + 1, peer.Count);
        var checkedValues = 0;
        foreach (var w in peer)
        {
            var end = w.GetProperty("end").GetInt32();
            var window = candles.Skip(end - Window + 1).Take(Window).ToArray();
            var closes = window.Select(c => c.Close).ToArray();
            Close("ema9", end, Indicators.Ema(closes, 9), w);
            Close("ema21", end, Indicators.Ema(closes, 21), w);
            Close("atr14", end, Indicators.Atr(window, 14), w);
            Close("rsi14", end, Indicators.Rsi(closes, 14), w);

            // What the rules brain and the prompts read: the snapshot's values, rounded to 8 decimals.
            var last = window[^1].Close;
            var snapshot = MarketSnapshot.Create(new Ticker("BTC/USDT", window[^1].OpenTime, last, last, last, last, last, 0m), window);
            Close("ema9", end, snapshot.Indicators.EmaFast, w, rounded: true);
            Close("ema21", end, snapshot.Indicators.EmaSlow, w, rounded: true);
            Close("atr14", end, snapshot.Indicators.Atr, w, rounded: true);
            Close("rsi14", end, snapshot.Indicators.Rsi, w, rounded: true);
            Close("roc3", end, snapshot.Indicators.MomentumPercent, w, rounded: true);
            checkedValues += 9;
        }

        Assert.True(checkedValues > 90_000);
    }

    [Fact]
    public void The_comparison_catches_a_wrong_seed()
    {
        // A plain EMA seeded with the first value (not the SMA) differs from the peer beyond the tolerance.
        var w = RunPeer()[0];
        var closes = Bundled.Btc.Take(Window).Select(c => c.Close).ToArray();
        var ema = closes[0];
        foreach (var c in closes.Skip(1))
        {
            ema += (c - ema) * (2m / 22m);
        }

        Assert.Throws<Xunit.Sdk.XunitException>(() => Close("ema21", 59, ema, w));
    }

    private static void Close(string name, int end, decimal? ours, JsonElement peer, bool rounded = false)
    {
        Assert.True(ours is not null, $"{name} missing at {end}");
        var theirs = peer.GetProperty(name).GetDouble();
        var value = (double)ours!.Value;
        var tolerance = Math.Max(Relative * Math.Max(Math.Abs(value), Math.Abs(theirs)), rounded ? 5.000001e-9 : 0d);
        if (Math.Abs(value - theirs) > tolerance)
        {
            throw new Xunit.Sdk.XunitException($"{name} at candle {end}: ours {value:R}, technicalindicators {theirs:R}, difference {Math.Abs(value - theirs):E3} > {tolerance:E3}");
        }
    }

    private static List<JsonElement> RunPeer()
    {
        var root = RepositoryRoot();
        Assert.True(Directory.Exists(Path.Combine(root, "node_modules", "technicalindicators")), "technicalindicators is not installed: run `npm ci` at the repository root (.ci/run does).");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "indicators-peer.mjs"));
        start.ArgumentList.Add(Bundled.BtcPath);
        start.ArgumentList.Add(Window.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["NT_REPO_ROOT"] = root;
        using var node = Process.Start(start)!;
        var stderr = node.StandardError.ReadToEndAsync();
        var json = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        Assert.True(node.ExitCode == 0, $"node failed: {stderr.Result}");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("windows").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuraTrade.sln")) && File.Exists(Path.Combine(dir.FullName, "package.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (NeuraTrade.sln) not found above " + AppContext.BaseDirectory);
    }
}
