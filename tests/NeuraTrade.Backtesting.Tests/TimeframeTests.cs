using System.Globalization;
using System.Text.Json;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The brain's candles (<c>AI:Timeframe</c>, the data's own by default) against the data's: minute files are served as 5m candles made
/// from them, a timeframe the data cannot make is refused before the run, and a report with no decision says why.
/// Over the bundled Coinbase minute files (data/coinbase, three markets on the same two days).
/// </summary>
public sealed class TimeframeTests
{
    private static readonly string[] MinuteFiles = ["BTC_USD-1m.csv", "ETH_USD-1m.csv", "LTC_USD-1m.csv"];

    private static readonly Dictionary<string, string> UsdAccount = new() { ["Exchange__QuoteCurrency"] = "USD" };

    private static string Coinbase(string file) => Path.Combine(AppContext.BaseDirectory, "data", "coinbase", file);

    /// <summary>
    /// The run: <c>neuratrade backtest --data BTC_USD-1m.csv,ETH_USD-1m.csv,LTC_USD-1m.csv --brain rules</c> with a
    /// 5m brain used to decide nothing (0 decisions, 0 trades, no word why). Now every market is decided at every step (the
    /// files' minutes, counted here from the CSVs): without <c>AI__Timeframe</c> on the data's own minute candles, with
    /// <c>AI__Timeframe=5m</c> (and a hold of at least one such candle) on 5m candles made from the minutes, and it trades.
    /// </summary>
    [Theory]
    [InlineData(null, "1m", "1m")]
    [InlineData("5m", "5m", "1m / 5m")]
    public async Task Minute_files_are_decided_at_every_step_on_the_data_s_own_or_the_configured_candles_and_trade(string? configured, string brainTimeframe, string candlesRow)
    {
        var minutes = MinuteFiles.Select(f => File.ReadLines(Coinbase(f)).Skip(1).Select(l => long.Parse(l[..l.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture)).ToList()).ToList();
        Assert.Single(minutes.Select(m => (m[0], m[^1])).Distinct());
        var steps = minutes.SelectMany(m => m).Distinct().Count();

        var settings = new Dictionary<string, string>(UsdAccount);
        if (configured is not null)
        {
            settings["AI__Timeframe"] = configured;
            settings["Scalping__PositionHoldTime"] = "00:05:00";
        }

        var dir = Directory.CreateTempSubdirectory("nt-tf-");
        try
        {
            var json = Path.Combine(dir.FullName, "report.json");
            var (code, said, stdout) = await CliSummaryTests.RunCliAsync(dir.FullName, ["backtest", "--data", string.Join(',', MinuteFiles.Select(Coinbase)), "--brain", "rules", "--json", json], settings);
            Assert.True(code == 0, said);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var metrics = document.RootElement.GetProperty("metrics");
            Assert.Equal(steps, metrics.GetProperty("candles").GetInt32());
            Assert.Equal(3 * steps, metrics.GetProperty("decisions").GetInt32());
            Assert.True(metrics.GetProperty("trades").GetInt32() > 0, said);
            Assert.Equal("1m", metrics.GetProperty("timeframe").GetString());
            Assert.Equal(brainTimeframe, metrics.GetProperty("brain_timeframe").GetString());
            Assert.Equal(JsonValueKind.Null, metrics.GetProperty("why_no_decisions").ValueKind);

            var rows = CliSummaryTests.Rows(stdout);
            Assert.Equal((3 * steps).ToString(CultureInfo.InvariantCulture), rows["decisions"]);
            Assert.StartsWith(candlesRow, rows["candles (data / brain)"], StringComparison.Ordinal);
            Assert.False(rows.ContainsKey("why no decisions"), said);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// A hold shorter than one candle the brain reads (the default 2 minutes on the 5m file) is refused at start (exit 2,
    /// no report) with a message naming both keys and both fixes; a hold of one candle runs.
    /// </summary>
    [Theory]
    [InlineData(null, null)]
    [InlineData("5m", "AI:Timeframe=5m")]
    public async Task A_hold_shorter_than_one_brain_candle_is_refused_at_start_naming_both_keys_and_the_fix(string? configured, string? source)
    {
        var dir = Directory.CreateTempSubdirectory("nt-tf-");
        try
        {
            var json = Path.Combine(dir.FullName, "report.json");
            var settings = configured is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["AI__Timeframe"] = configured };
            var (code, said) = await CliSummaryTests.RunAsync(dir.FullName, ["backtest", "--data", Bundled.BtcPath, "--json", json], settings);

            Assert.Equal(2, code);
            Assert.Contains("Scalping:PositionHoldTime=00:02:00 is shorter than one candle the brain reads", said, StringComparison.Ordinal);
            Assert.Contains(source ?? "AI:Timeframe is not set, so the brain reads the data's own 5m candles", said, StringComparison.Ordinal);
            Assert.Contains("Scalping__PositionHoldTime=00:05:00", said, StringComparison.Ordinal);
            Assert.Contains("--data data/replay/BTC_USDT-1m.csv", said, StringComparison.Ordinal);
            Assert.False(File.Exists(json), said);

            settings["Scalping__PositionHoldTime"] = "00:05:00";
            var (ok, okSaid) = await CliSummaryTests.RunAsync(dir.FullName, ["backtest", "--data", Bundled.BtcPath, "--from", "2023-01-02", "--to", "2023-01-03", "--json", json], settings);
            Assert.True(ok == 0, okSaid);
            Assert.True(File.Exists(json), okSaid);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// 1m candles cannot be made from 5m data, nor 7m ones: the run is refused at start (exit 2, no report) with a message
    /// that names the setting, the file and the fix.
    /// </summary>
    [Theory]
    [InlineData("1m", "finer than the data")]
    [InlineData("7m", "7m is not a whole multiple of 5m")]
    public async Task A_brain_timeframe_the_data_cannot_make_is_refused_at_start_naming_the_setting_and_the_file(string timeframe, string why)
    {
        var dir = Directory.CreateTempSubdirectory("nt-tf-");
        try
        {
            var json = Path.Combine(dir.FullName, "report.json");
            var (code, said) = await CliSummaryTests.RunAsync(dir.FullName, ["backtest", "--data", Bundled.BtcPath, "--json", json], new Dictionary<string, string> { ["AI__Timeframe"] = timeframe });

            Assert.Equal(2, code);
            Assert.Contains($"AI__Timeframe={timeframe}", said, StringComparison.Ordinal);
            Assert.Contains(Bundled.BtcPath, said, StringComparison.Ordinal);
            Assert.Contains(why, said, StringComparison.Ordinal);
            Assert.Contains("Set AI__Timeframe=5m", said, StringComparison.Ordinal);
            Assert.False(File.Exists(json), said);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>A span that holds no candle of the data makes no decision; the table and the JSON say so, with the data's own span (read here from the CSV).</summary>
    [Fact]
    public async Task A_report_without_decisions_says_why_in_its_table_and_its_json()
    {
        var first = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(File.ReadLines(Bundled.BtcMinutePath).Skip(1).First().Split(',')[0], CultureInfo.InvariantCulture));
        var dir = Directory.CreateTempSubdirectory("nt-tf-");
        try
        {
            var json = Path.Combine(dir.FullName, "report.json");
            var (code, said, stdout) = await CliSummaryTests.RunCliAsync(dir.FullName, ["backtest", "--data", Bundled.BtcMinutePath, "--from", "2024-01-01", "--json", json], new Dictionary<string, string>());
            Assert.True(code == 0, said);

            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
            var metrics = document.RootElement.GetProperty("metrics");
            Assert.Equal(0, metrics.GetProperty("decisions").GetInt32());
            var why = metrics.GetProperty("why_no_decisions").GetString();
            Assert.NotNull(why);
            Assert.Contains("no candle of the data lies in the span asked (2024-01-01 00:00 .. end)", why, StringComparison.Ordinal);
            Assert.Contains($"the data runs {first.UtcDateTime:yyyy-MM-dd HH:mm} ..", why, StringComparison.Ordinal);

            var rows = CliSummaryTests.Rows(stdout);
            Assert.Equal("0", rows["decisions"]);
            Assert.Equal(why, Words(rows["why no decisions"]));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// What the brain reads from minute data: at a scan's instant, the 5m candles whose five minutes are over, each made
    /// from the file's rows of its five minutes (open of the first, highest high, lowest low, close of the last, volumes
    /// summed; computed here from the CSV text), never the one still forming.
    /// </summary>
    [Fact]
    public async Task The_backtest_feed_serves_the_closed_five_minute_candles_of_the_minute_rows()
    {
        var rows = File.ReadLines(Coinbase("BTC_USD-1m.csv")).Skip(1).Select(l => l.Split(',')).Select(f =>
            (At: long.Parse(f[0], CultureInfo.InvariantCulture), Open: Num(f[1]), High: Num(f[2]), Low: Num(f[3]), Close: Num(f[4]), Volume: Num(f[5]))).ToList();
        var market = new BacktestMarket("BTC/USD", "1m", CandleCsv.Read(Coinbase("BTC_USD-1m.csv")));
        var settings = new BacktestSettings([market], TimeSpan.FromMinutes(1), 10_000m, "USD", 0.1m, 0.02m);
        var clock = BacktestSessionFactory.ClockFor(settings);
        var feed = new BacktestMarketData([market], Microsoft.Extensions.Options.Options.Create(new PaperExchangeOptions()), clock);

        // A scan's instant (1 ms before a minute closes) in the middle of the first day, and one just as a bucket closes.
        foreach (var at in new[] { new DateTimeOffset(2018, 4, 4, 13, 42, 59, 999, TimeSpan.Zero), new DateTimeOffset(2018, 4, 4, 13, 45, 0, 0, TimeSpan.Zero) })
        {
            clock.Set(at);
            var served = await feed.FetchOhlcvAsync("BTC/USD", "5m", null, 60, CancellationToken.None);

            var expected = rows.GroupBy(r => r.At / 300_000)
                .Where(g => (g.Key + 1) * 300_000 <= at.ToUnixTimeMilliseconds())
                .Select(g => new Candle(DateTimeOffset.FromUnixTimeMilliseconds(g.Key * 300_000), g.First().Open, g.Max(r => r.High), g.Min(r => r.Low), g.Last().Close, g.Sum(r => r.Volume)))
                .TakeLast(60)
                .ToList();
            Assert.Equal(60, served.Count);
            Assert.Equal(expected, served);
            Assert.True(served[^1].OpenTime + TimeSpan.FromMinutes(5) <= at, $"{served[^1].OpenTime:O} is still forming at {at:O}");
        }

        Assert.Null(BacktestMarketData.Unservable([market], "5m"));
        Assert.Contains("1m candles cannot be made from 5m candles", BacktestMarketData.Unservable([new BacktestMarket("BTC/USDT", "5m", Bundled.Btc) { Source = "BTC_USDT-5m.csv" }], "1m"), StringComparison.Ordinal);
    }

    /// <summary>
    /// A run whose every scan finds no market data (the runner's steps a year after the feed's data) decides nothing, and
    /// its report says the scans could not read their markets, how often, and the first exchange error.
    /// </summary>
    [Fact]
    public async Task A_run_whose_scans_cannot_read_a_market_says_so_when_it_made_no_decision()
    {
        var candles = Bundled.Btc.Take(200).ToArray();
        var data = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", candles));
        var later = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", [.. candles.Select(c => c with { OpenTime = c.OpenTime.AddDays(365) })]));
        var session = BacktestSessionFactory.Create(data, new RulesBrain(), new ScalpingOptions(), new BrainOptions(), new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(data));

        var run = await new BacktestRunner(session, later).RunAsync(null, CancellationToken.None);
        var report = BacktestReport.Create(run, ScalpingProfiles.Default, null);

        Assert.Equal(200, report.Metrics.Candles);
        Assert.Equal(0, report.Metrics.Decisions);
        Assert.NotNull(report.Metrics.WhyNoDecisions);
        Assert.StartsWith("no scan could read its markets, so the brain was never asked (200 reads failed over 200 candles; the first: BTC/USDT at", report.Metrics.WhyNoDecisions, StringComparison.Ordinal);
        Assert.Contains("ExchangeNotAvailable", report.Metrics.WhyNoDecisions, StringComparison.Ordinal);
    }

    private static decimal Num(string text) => decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string Words(string text) => string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
