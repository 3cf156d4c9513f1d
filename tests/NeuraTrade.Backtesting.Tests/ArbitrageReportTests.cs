using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// <c>neuratrade backtest --strategy arbitrage --venues FILE.json --json OUT --html OUT</c> run as the user runs it, on the
/// bundled day: the venue file's per-venue fees are the ones traded on (0.02% on both: the 93 minutes an awk over the two
/// files finds, see <see cref="ArbitrageBacktestTests"/>), and the HTML page, parsed as XML, says what the JSON says, figure
/// for figure: the summary, every trade row (expected against captured edge, fees), the edge chart (one vertex per minute,
/// its peak at the best edge seen, the threshold line, one marker per trade) and each venue's inventory (the chart's last
/// level, the table's end and drift). Bad venue files exit 2 with a message that names the problem.
/// </summary>
public sealed class ArbitrageReportTests
{
    private static readonly string Data = Path.Combine(AppContext.BaseDirectory, "data", "arbitrage");
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public async Task The_html_report_says_what_the_json_report_says_for_a_venue_file_run()
    {
        var dir = Directory.CreateTempSubdirectory("nt-arb-html-");
        try
        {
            var venues = VenueFile(dir.FullName, feePercent: 0.02m, startingValue: 10_000_000m);
            var (json, html) = (Path.Combine(dir.FullName, "a.json"), Path.Combine(dir.FullName, "a.html"));

            var (code, stdout, stderr) = await CliAsync(dir.FullName, "backtest", "--strategy", "arbitrage", "--venues", venues, "--json", json, "--html", html);

            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("base drift over all venues", stdout, StringComparison.Ordinal);
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var root = document.RootElement;
            var trades = root.GetProperty("trades").EnumerateArray().ToList();
            // The venue file's 0.02% fees were applied: the 93 minutes that clear 0.02% at those fees.
            Assert.Equal(93, trades.Count);

            var page = Parse(await File.ReadAllTextAsync(html));
            var summary = page.Descendants("tr").Where(r => r.Attribute("data-metric") is not null)
                .ToDictionary(r => r.Attribute("data-metric")!.Value, r => r.Elements("td").Last().Value);
            foreach (var key in (string[])["minutes_scanned", "profit", "expected_profit", "fees", "min_net_edge_percent", "best_net_edge_percent", "total_base_drift"])
            {
                Assert.Equal(root.GetProperty(key).GetDecimal(), decimal.Parse(summary[key], CultureInfo.InvariantCulture));
            }

            Assert.Equal(trades.Count, int.Parse(summary["trades"], CultureInfo.InvariantCulture));
            Assert.Equal(root.GetProperty("held").GetArrayLength(), int.Parse(summary["held"], CultureInfo.InvariantCulture));
            // Both legs fill the same amount: the base over all venues is what it was.
            Assert.Equal(0m, root.GetProperty("total_base_drift").GetDecimal());

            // The trades table, row for row: expected and captured edge, both fees, the profit.
            var rows = Table(page, "trades");
            Assert.Equal(trades.Count, rows.Count);
            foreach (var (row, trade) in rows.Zip(trades))
            {
                Assert.Equal(trade.GetProperty("time").GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), row[0]);
                Assert.Equal((trade.GetProperty("buy_venue").GetString(), trade.GetProperty("sell_venue").GetString()), (row[1], row[2]));
                Assert.Equal(trade.GetProperty("buy_fee").GetDecimal(), D(row[6]));
                Assert.Equal(trade.GetProperty("sell_fee").GetDecimal(), D(row[7]));
                Assert.Equal(trade.GetProperty("expected_net_edge_percent").GetDecimal(), D(row[8]));
                Assert.Equal(trade.GetProperty("captured_net_edge_percent").GetDecimal(), D(row[9]));
                Assert.Equal(trade.GetProperty("profit").GetDecimal(), D(row[11]));
                // Captured: the profit over what the buy cost (amount × price, quote rate 1 on both venues), in percent.
                var cost = trade.GetProperty("amount").GetDecimal() * trade.GetProperty("buy_price").GetDecimal();
                Assert.InRange(D(row[9]) - (trade.GetProperty("profit").GetDecimal() / cost * 100m), -0.00001m, 0.00001m);
                // The scan took the 0.01% buffer off what it expected; the fills made at least that (paper fills at the book).
                Assert.True(D(row[9]) >= D(row[8]), $"{row[0]} captured {row[9]} below expected {row[8]}");
            }

            // The edge chart: one vertex per scanned minute; its highest point is the best edge seen, at the minute seen.
            var edge = page.Descendants(Svg + "svg").Single(s => (string?)s.Attribute("id") == "edge");
            var (lo, hi, width, height) = (D(edge.Attribute("data-lo")!.Value), D(edge.Attribute("data-hi")!.Value), double.Parse(edge.Attribute("data-width")!.Value, CultureInfo.InvariantCulture), double.Parse(edge.Attribute("data-height")!.Value, CultureInfo.InvariantCulture));
            decimal Value(double y) => hi - ((decimal)((y - 5d) / (height - 10d)) * (hi - lo));
            var vertices = Points(edge.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("id") == "edge-line"));
            Assert.Equal(root.GetProperty("minutes_scanned").GetInt32(), vertices.Count);
            var top = vertices.MinBy(v => v.Y);
            var tolerance = (hi - lo) / 100_000m * 2m;
            Assert.InRange(Value(top.Y), root.GetProperty("best_net_edge_percent").GetDecimal() - tolerance, root.GetProperty("best_net_edge_percent").GetDecimal() + tolerance);
            // The first scan is at the close of the day's first minute; the 1,440 minutes are consecutive.
            var first = DateTimeOffset.Parse("2022-12-13T00:01:00Z", CultureInfo.InvariantCulture);
            var minute = (int)Math.Round(top.X / width * (vertices.Count - 1));
            Assert.Equal(root.GetProperty("best_net_edge_at").GetDateTimeOffset(), first.AddMinutes(minute));
            var threshold = edge.Descendants(Svg + "line").Single(l => (string?)l.Attribute("id") == "threshold");
            Assert.Equal(root.GetProperty("min_net_edge_percent").GetDecimal(), D(threshold.Attribute("data-value")!.Value));
            Assert.InRange(Value(double.Parse(threshold.Attribute("y1")!.Value, CultureInfo.InvariantCulture)), 0.02m - tolerance, 0.02m + tolerance);
            Assert.Equal(trades.Count, edge.Descendants(Svg + "circle").Count(c => (string?)c.Attribute("class") == "trade"));

            // Inventory: each venue's line ends at its end base; the table carries end, drift and the way back.
            var inventory = page.Descendants(Svg + "svg").Single(s => (string?)s.Attribute("id") == "inventory");
            var (ilo, ihi) = (D(inventory.Attribute("data-lo")!.Value), D(inventory.Attribute("data-hi")!.Value));
            var inventoryRows = Table(page, "inventory-table");
            foreach (var venue in root.GetProperty("inventory").EnumerateArray())
            {
                var name = venue.GetProperty("venue").GetString()!;
                var line = Points(inventory.Descendants(Svg + "polyline").Single(p => (string?)p.Attribute("data-venue") == name));
                var end = ihi - ((decimal)((line[^1].Y - 5d) / (height - 10d)) * (ihi - ilo));
                var itolerance = (ihi - ilo) / 100_000m * 2m;
                Assert.InRange(end, venue.GetProperty("end_base").GetDecimal() - itolerance, venue.GetProperty("end_base").GetDecimal() + itolerance);
                Assert.Equal(width, line[^1].X);
                var row = inventoryRows.Single(r => r[0] == name);
                Assert.Equal(venue.GetProperty("end_base").GetDecimal(), D(row[3]));
                Assert.Equal(venue.GetProperty("base_drift").GetDecimal(), D(row[4]));
                Assert.Equal(venue.GetProperty("end_base").GetDecimal() - venue.GetProperty("start_base").GetDecimal(), venue.GetProperty("base_drift").GetDecimal());
                Assert.Equal(venue.GetProperty("end_quote").GetDecimal() - venue.GetProperty("start_quote").GetDecimal(), venue.GetProperty("quote_drift").GetDecimal());
                var drift = venue.GetProperty("base_drift").GetDecimal();
                // A venue that gained BTC sends it back and receives the quote it paid for it, and the other way round.
                var quoteDrift = venue.GetProperty("quote_drift").GetDecimal();
                var quote = venue.GetProperty("symbol").GetString()!.Split('/')[1];
                Assert.True(drift * quoteDrift < 0m, $"{name}: base drift {drift} and quote drift {quoteDrift} should be of opposite signs");
                Assert.Equal(
                    drift > 0m
                        ? $"send {drift.ToString(CultureInfo.InvariantCulture)} BTC, receive {(-quoteDrift).ToString(CultureInfo.InvariantCulture)} {quote}"
                        : $"receive {(-drift).ToString(CultureInfo.InvariantCulture)} BTC, send {quoteDrift.ToString(CultureInfo.InvariantCulture)} {quote}",
                    row[8]);
            }

            Assert.DoesNotContain("<script", await File.ReadAllTextAsync(html), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_venues_of_a_config_file_run_when_no_data_and_no_venue_file_is_given()
    {
        var dir = Directory.CreateTempSubdirectory("nt-arb-config-");
        try
        {
            // The Arbitrage section of a --config file (the files every command reads), fees 0.02% on both venues.
            var config = Path.Combine(dir.FullName, "settings.json");
            var venues = JsonDocument.Parse(await File.ReadAllTextAsync(VenueFile(dir.FullName, feePercent: 0.02m, startingValue: 10_000_000m))).RootElement;
            await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { Arbitrage = venues }));
            var json = Path.Combine(dir.FullName, "a.json");

            var (code, stdout, stderr) = await CliAsync(dir.FullName, "backtest", "--strategy", "arbitrage", "--config", config, "--json", json);

            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            Assert.Equal(93, document.RootElement.GetProperty("trades").GetArrayLength());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("missing", "--venues", "no such file")]
    [InlineData("{ not json", "--venues", "not valid JSON")]
    [InlineData("""{"Venues":[{"Name":"binance","Symbol":"BTC/BUSD","ReplayDirectory":"binance"}]}""", "--venues", "Arbitrage:Venues has one venue")]
    [InlineData("""{"Venues":[{"Name":"binance","Symbol":"BTC/BUSD","ReplayDirectory":"binance"},{"Name":"bybit","Symbol":"BTC/USDT"}]}""", "--venues", "venue 'bybit' has no ReplayDirectory")]
    [InlineData("""{"Venues":[{"Name":"binance","Symbol":"BTC/BUSD","ReplayDirectory":"binance","TakerFeePercent":50},{"Name":"bybit","Symbol":"BTC/USDT","ReplayDirectory":"bybit"}]}""", "--venues", "Arbitrage:Venues:0:TakerFeePercent must be between 0 and 10")]
    [InlineData("""{"Venues":[{"Name":"binance","Symbol":"BTC/BUSD","ReplayDirectory":"binance","TakerFeePercent":"cheap"},{"Name":"bybit","Symbol":"BTC/USDT","ReplayDirectory":"bybit"}]}""", "--venues", "TakerFeePercent")]
    [InlineData("""{"Venues":[{"Name":"binance","Symbol":"BTC/BUSD","ReplayDirectory":"binance"},{"Name":"bybit","Symbol":"BTC/USDT","ReplayDirectory":"nowhere"}]}""", "--venues", "BTC_USDT-1m.csv")]
    [InlineData("""{"Venues":[{"Name":"binance","Symbol":"BTC/BUSD","ReplayDirectory":"binance"},{"Name":"bybit","Symbol":"BTC/USDT","ReplayDirectory":"bybit"}]}""", "--data", "give --data files or --venues FILE, not both")]
    public async Task A_bad_venue_file_exits_2_with_a_message_naming_the_problem(string content, string extra, string message)
    {
        var dir = Directory.CreateTempSubdirectory("nt-arb-venues-");
        try
        {
            foreach (var venue in (string[])["binance", "bybit"])
            {
                var source = Path.Combine(Data, venue);
                Directory.CreateDirectory(Path.Combine(dir.FullName, venue));
                foreach (var file in Directory.GetFiles(source))
                {
                    File.Copy(file, Path.Combine(dir.FullName, venue, Path.GetFileName(file)));
                }
            }

            var path = Path.Combine(dir.FullName, "venues.json");
            if (content != "missing")
            {
                await File.WriteAllTextAsync(path, content);
            }

            string[] args = extra == "--data"
                ? ["backtest", "--strategy", "arbitrage", "--venues", path, "--data", Path.Combine(Data, "bybit", "BTC_USDT-1m.csv")]
                : ["backtest", "--strategy", "arbitrage", "--venues", path];

            var (code, stdout, stderr) = await CliAsync(dir.FullName, args);

            Assert.True(code == 2, $"exit {code}\n{stdout}\n{stderr}");
            Assert.StartsWith("backtest: ", stderr, StringComparison.Ordinal);
            Assert.Contains(message, stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [ChromiumFact]
    public async Task The_arbitrage_html_report_renders_offline_in_headless_chromium()
    {
        var dir = Directory.CreateTempSubdirectory("nt-arb-chromium-");
        try
        {
            var venues = VenueFile(dir.FullName, feePercent: 0.02m, startingValue: 1_000m);
            var page = Path.Combine(dir.FullName, "report.html");
            var (code, stdout, stderr) = await CliAsync(dir.FullName, "backtest", "--strategy", "arbitrage", "--venues", venues, "--html", page);
            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");

            var dom = await HtmlReportTests.ChromiumAsync(dir.FullName, "--dump-dom", new Uri(page).AbsoluteUri);
            Assert.Contains("id=\"edge-line\"", dom, StringComparison.Ordinal);
            Assert.Contains("id=\"threshold\"", dom, StringComparison.Ordinal);
            Assert.Contains("data-venue=\"bybit\"", dom, StringComparison.Ordinal);
            Assert.Contains("class=\"trade\"", dom, StringComparison.Ordinal);

            var png = Path.Combine(dir.FullName, "shot.png");
            await HtmlReportTests.ChromiumAsync(dir.FullName, $"--screenshot={png}", "--window-size=1200,1600", new Uri(page).AbsoluteUri);
            var bytes = await File.ReadAllBytesAsync(png);
            Assert.True(bytes.Length > 10_000, $"screenshot is only {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A venue file for the bundled pair with the given fee on both venues (absolute replay folders: the file lies elsewhere).</summary>
    private static string VenueFile(string dir, decimal feePercent, decimal startingValue)
    {
        var path = Path.Combine(dir, "venues.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            Venues = new[]
            {
                new { Name = "binance", Exchange = "paper", Symbol = "BTC/BUSD", ReplayDirectory = Path.Combine(Data, "binance"), TakerFeePercent = feePercent, StartingValue = startingValue },
                new { Name = "bybit", Exchange = "paper", Symbol = "BTC/USDT", ReplayDirectory = Path.Combine(Data, "bybit"), TakerFeePercent = feePercent, StartingValue = startingValue },
            },
            QuoteRates = new Dictionary<string, decimal> { ["BUSD"] = 1m, ["USDT"] = 1m },
            MinNetEdgePercent = 0.02m,
            SafetyBufferPercent = 0.01m,
            MaxNotional = 100m,
        }));
        return path;
    }

    private static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    /// <summary>The rows of a table after its header, as cell texts.</summary>
    private static List<string[]> Table(XDocument page, string id) =>
        page.Descendants("table").Single(t => (string?)t.Attribute("id") == id).Elements("tr").Skip(1).Select(r => r.Elements("td").Select(c => c.Value).ToArray()).ToList();

    private static List<(double X, double Y)> Points(XElement polyline) =>
        polyline.Attribute("points")!.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split(','))
            .Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture)))
            .ToList();

    private static decimal D(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static async Task<(int Code, string Stdout, string Stderr)> CliAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(CtrlCTests.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(CtrlCTests.CliDll());
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var cli = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stdout = cli.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = cli.StandardError.ReadToEndAsync(timeout.Token);
        await cli.WaitForExitAsync(timeout.Token);
        return (cli.ExitCode, await stdout, await stderr);
    }
}
