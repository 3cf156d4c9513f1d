using System.Globalization;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Paper trading and the backtest are one strategy. The paper host (the real composition: the default
/// minute replay, the rules brain, Azurite) runs on a manual market clock: <c>Exchange:ReplaySpeed=1</c> and a pinned
/// anchor, so the test's wall clock is the market clock shifted by a constant. Its position checks and scans are called at
/// the instants the backtest steps at (the exit checks inside each candle while a position is open, the scan just before
/// the candle closes), and over a span of the bundled minute data it must make the same trades as the backtest: the
/// same entries and exits, at the same times and prices, for the same reasons, with the same fees and PnL.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class PaperMatchesBacktestTests(AzuriteFixture azurite)
{
    /// <summary>The wall instant the paper host shows the data's first candle at.</summary>
    private static readonly DateTimeOffset Anchor = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(ScalpingProfiles.Default)]
    [InlineData(ScalpingProfiles.Aggressive)]
    public async Task The_paper_host_makes_the_backtest_s_trades_over_a_span_of_the_minute_data(string profile)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "data", "replay");
        var candles = CandleCsv.Read(Path.Combine(directory, "BTC_USDT-1m.csv"));
        var market = new BacktestMarket("BTC/USDT", "1m", candles) { TickSize = MarketTicks.Load(directory)["BTC/USDT"] };

        // Six market hours from the second, with the first hour of the data as the brain's history.
        var from = candles[0].OpenTime.AddHours(1);
        var settings = new BacktestSettings([market], TimeSpan.FromMinutes(1), 10_000m, "USDT", 0.1m, 0.02m, from, from.AddHours(6));

        var scalping = new ScalpingOptions();
        ScalpingProfiles.Apply(scalping, profile);
        var session = BacktestSessionFactory.Create(settings, new RulesBrain(), scalping, new BrainOptions(), new PaperExchangeOptions(), new InMemoryLlmUsageLedger(), BacktestSessionFactory.ClockFor(settings));
        await new BacktestRunner(session, settings).RunAsync(null, CancellationToken.None);
        var expected = session.Positions.Closed.Select(Trade).ToList();
        var expectedOpen = session.Positions.Open.Select(Trade).ToList();
        Assert.True(expected.Count >= 3, $"only {expected.Count} trades in the span: the comparison would prove little");

        // The paper host: market time = first candle + (wall − anchor), so wall = anchor + (market − first candle).
        var first = candles[0].OpenTime;
        DateTimeOffset Wall(DateTimeOffset marketTime) => Anchor + (marketTime - first);
        await using var app = TestApp.CreateWithDefaults(azurite, Wall(from), new Dictionary<string, string?>
        {
            ["Exchange:ReplayAnchor"] = Anchor.ToString("O", CultureInfo.InvariantCulture),
            ["Exchange:ReplaySpeed"] = "1",
            ["Scalping:Symbols"] = "BTC/USDT",
            ["Scalping:Profile"] = profile,
        });
        Assert.Equal(from, app.Market.GetUtcNow());
        var engine = app.Get<ScalpingEngine>();
        var positions = app.Get<IPositionStore>();

        foreach (var open in settings.Timeline())
        {
            for (var k = 1; k < settings.ExitChecksPerCandle && (await positions.GetOpenAsync(CancellationToken.None)).Count > 0; k++)
            {
                app.Time.SetUtcNow(Wall(open + (settings.Interval * k / settings.ExitChecksPerCandle)));
                await engine.CheckPositionsAsync(CancellationToken.None);
            }

            app.Time.SetUtcNow(Wall(open + settings.Interval - BacktestSettings.DecisionLead));
            var scan = await engine.RunScanAsync(CancellationToken.None);
            Assert.False(scan.Skipped, "a scan was skipped");
        }

        var days = Enumerable.Range(0, 2).Select(d => DateOnly.FromDateTime(from.UtcDateTime).AddDays(d));
        var actual = new List<string>();
        foreach (var day in days)
        {
            actual.AddRange((await positions.GetClosedAsync(day, CancellationToken.None)).OrderBy(p => p.ClosedAt).Select(Trade));
        }

        Assert.Equal(expected, actual);
        Assert.Equal(expectedOpen, (await positions.GetOpenAsync(CancellationToken.None)).Select(Trade).ToList());
    }

    /// <summary>A trade as both sides must agree on it (ids are random and differ).</summary>
    private static string Trade(Position p) => string.Create(
        CultureInfo.InvariantCulture,
        $"{p.Symbol} {p.Side} {p.Amount} @ {p.EntryPrice} fee {p.EntryFee} sl {p.StopLoss} tp {p.TakeProfit} opened {p.OpenedAt:O} → {p.ExitPrice} fee {p.ExitFee} closed {p.ClosedAt:O} {p.ExitReason} pnl {p.RealizedPnl}");
}
