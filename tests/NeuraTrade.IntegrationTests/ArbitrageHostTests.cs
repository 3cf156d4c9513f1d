using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The arbitrage as the hosts compose it, on Azurite, function classes called directly: two paper venues over small
/// replays whose prices are offset by a known amount (venue a BTC/BUSD at 17,000, venue b BTC/USDT at 17,086, constant
/// candles, tick 2: a quotes 16,999 / 17,001 and b 17,085 / 17,087), each starting with 1,000 worth, half in BTC at its
/// first price. Every figure below is worked by hand from those numbers.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ArbitrageHostTests(AzuriteFixture azurite) : IDisposable
{
    /// <summary>20 wall seconds after the replay anchor at ×30: the venues' clock shows 00:10 of their 2-hour data.</summary>
    private static readonly DateTimeOffset Start = TestApp.ReplayAnchor.AddSeconds(20);

    private readonly string _data = Directory.CreateTempSubdirectory("nt-arb-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task A_timer_scan_trades_the_offset_journals_the_decision_and_stores_the_outcome()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: true);

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);

        var stored = Assert.Single(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));
        var outcome = stored.Outcome;
        Assert.Equal(ArbitrageStatus.Completed, outcome.Status);
        Assert.Equal(("a", "b"), (outcome.BuyVenue, outcome.SellVenue));
        // MaxNotional 100 at the ask 17,001: 100 / 17,001 = 0.00588200694…, 0.005882 to 8 decimals down.
        Assert.Equal((0.005882m, 0.005882m, 17_001m, 17_085m), (outcome.Bought, outcome.Sold, outcome.BuyPrice, outcome.SellPrice));
        // Buy 0.005882 × 17,001 = 99.999882, fee 0.1% = 0.09999988 (8 decimals). Sell 0.005882 × 17,085 = 100.49397,
        // fee 0.10049397. Profit 100.49397 − 0.10049397 − 99.999882 − 0.09999988 = 0.29359415.
        Assert.Equal((0.09999988m, 0.10049397m), (outcome.BuyFee, outcome.SellFee));
        Assert.Equal(0.29359415m, outcome.Profit);
        // Expected: 100.49397 × 0.999 − 99.999882 × 1.001 = 0.293594148, 0.29359414 to 8 decimals down; captured 0.29359415
        // on 99.999882 = 0.2935944…%, the top edge (17,085 × 0.999 − 17,001 × 1.001) / 17,001 − 0.01% = 0.283594%.
        Assert.Equal((0.29359414m, 0.293594m), (outcome.ExpectedProfit, outcome.CapturedNetEdgePercent));

        var decision = await app.Get<IDecisionStore>().GetByIdAsync(outcome.DecisionId, CancellationToken.None);
        Assert.NotNull(decision);
        Assert.Equal((TradingStrategy.Arbitrage, TradeAction.Buy, "BTC/BUSD", DecisionSource.Scan), (decision.Strategy, decision.Action, decision.Symbol, decision.Source));
        Assert.Equal((0.29359415m, DecisionOutcome.Win), (decision.Pnl, decision.Outcome));
        Assert.Equal((17_001m, 17_085m), (decision.EntryPrice, decision.TakeProfit));

        var state = await app.Get<IArbitrageStore>().GetStateAsync(CancellationToken.None);
        Assert.Equal(0.283594m, state.LastBestEdgePercent);

        // The account's daily loss limit counts the arbitrage: its profit is on the scalper's state row, which the scalper's
        // gate and status read (remaining daily loss 100 + 0.29359415; nothing else traded).
        var account = await app.Get<IScalpingStateStore>().GetAsync(CancellationToken.None);
        Assert.Equal((0.29359415m, 0m), (account.ArbitrageRealizedToday, account.DailyRealizedPnl));
        var status = await app.Get<NeuraTrade.Core.Scalping.ScalpingControl>().GetStatusAsync(CancellationToken.None);
        Assert.Equal(100.29359415m, status.RemainingDailyLoss);
    }

    [Fact]
    public async Task A_trade_whose_pnl_cannot_reach_the_accounts_day_is_still_journaled_and_its_outcome_kept()
    {
        // The scalper's state row refuses every write (storage failing in one precise way): the trade has happened, so its
        // outcome and decision are still recorded, and the failure is logged instead of losing the journal entry.
        var state = new Mock<IScalpingStateStore>(MockBehavior.Strict);
        state.Setup(s => s.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(ScalpingState.Initial(true, Start));
        state.Setup(s => s.UpdateAsync(It.IsAny<Func<ScalpingState, ScalpingState>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Azure.RequestFailedException(503, "storage unavailable"));
        await using var app = OffsetApp(fee: 0.1m, enabled: true, services: s => s.AddSingleton(state.Object));

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);

        var stored = Assert.Single(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));
        Assert.Equal((ArbitrageStatus.Completed, 0.29359415m), (stored.Outcome.Status, stored.Outcome.Profit));
        var decision = await app.Get<IDecisionStore>().GetByIdAsync(stored.Outcome.DecisionId, CancellationToken.None);
        Assert.Equal((0.29359415m, DecisionOutcome.Win), (decision!.Pnl, decision.Outcome));
        state.Verify(s => s.UpdateAsync(It.IsAny<Func<ScalpingState, ScalpingState>>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Fees_that_eat_the_offset_hold_with_the_best_edge_and_never_ask_the_brain()
    {
        var brain = new Mock<ITradingBrain>(MockBehavior.Strict);
        await using var app = OffsetApp(fee: 0.3m, enabled: true, services: s => s.AddSingleton(brain.Object));

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);

        var held = Assert.Single((await app.Get<IDecisionStore>().QueryAsync(new DecisionQuery(Strategy: TradingStrategy.Arbitrage, From: app.Market.GetUtcNow().AddHours(-1)), CancellationToken.None)).Decisions);
        Assert.Equal((TradeAction.Hold, DecisionMaker.PreFilterModel), (held.Action, held.ModelUsed));
        // (17,085 × 0.997 − 17,001 × 1.003) / 17,001 − 0.01% = −0.11739368…%, −0.117393 to 6 decimals toward zero.
        Assert.Contains("net edge -0.1174% at the top of the books", held.HoldReason, StringComparison.Ordinal);
        Assert.Equal(-0.117393m, (await app.Get<IArbitrageStore>().GetStateAsync(CancellationToken.None)).LastBestEdgePercent);
        Assert.Empty(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));
        brain.Verify(b => b.ProposeAsync(It.IsAny<BrainRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Toggled_off_the_timer_trades_nothing_and_the_toggle_turns_it_on()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: false);
        var functions = Functions(app);

        await functions.Scan(new TimerInfo(), CancellationToken.None);
        Assert.Empty(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));
        Assert.Null((await app.Get<IArbitrageStore>().GetStateAsync(CancellationToken.None)).LastScanAt);

        var (missing, problem) = await CallAsync(ct => functions.Toggle(FunctionClassTests.Post("{}"), ct));
        Assert.Equal(400, missing);
        Assert.Contains("'enabled' is required", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (ok, toggled) = await CallAsync(ct => functions.Toggle(FunctionClassTests.Post("""{"enabled":true}"""), ct));
        Assert.Equal((200, true), (ok, toggled.GetProperty("active").GetBoolean()));
        await functions.Scan(new TimerInfo(), CancellationToken.None);
        Assert.Equal(ArbitrageStatus.Completed, Assert.Single(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None)).Outcome.Status);
    }

    [Fact]
    public async Task After_the_kill_switch_an_executed_arbitrage_is_refused_with_the_reason()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: true);
        var kill = await ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services).Kill(FunctionClassTests.Post(string.Empty), CancellationToken.None);
        Assert.IsType<ContentResult>(kill);

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);
        Assert.Null((await app.Get<IArbitrageStore>().GetStateAsync(CancellationToken.None)).LastScanAt);

        var (status, json) = await CallAsync(ct => ActivatorUtilities.CreateInstance<AiFunctions>(app.Services).Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT","strategy":"arbitrage","execute":true}"""), ct));
        Assert.Equal(200, status);
        Assert.Equal(("hold", "buy"), (json.GetProperty("action").GetString(), json.GetProperty("proposed_action").GetString()));
        Assert.StartsWith("refused: the kill switch fired at ", json.GetProperty("hold_reason").GetString(), StringComparison.Ordinal);
        var refused = Assert.Single(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None)).Outcome;
        Assert.Equal((ArbitrageStatus.Refused, 0m), (refused.Status, refused.Bought));
        Assert.Equal(0.02941176m, await Free(app, "a", "BTC"));
    }

    [Fact]
    public async Task When_the_account_has_lost_its_daily_limit_the_arbitrage_is_refused()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: true, settings: new() { ["Scalping:MaxDailyLoss"] = "10" });
        await app.Get<IScalpingStateStore>().UpdateAsync(s => s.WithClosedTrade(-10m, app.Market.GetUtcNow()), CancellationToken.None);

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);

        var refused = Assert.Single(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None)).Outcome;
        Assert.Equal(ArbitrageStatus.Refused, refused.Status);
        Assert.Equal("refused: daily loss limit reached: -10 today (scalping -10, arbitrage 0; Scalping:MaxDailyLoss 10); arbitrage resumes next UTC day", refused.Note);
        var decision = await app.Get<IDecisionStore>().GetByIdAsync(refused.DecisionId, CancellationToken.None);
        Assert.Equal((TradeAction.Hold, refused.Note), (decision!.Action, decision.HoldReason));
        Assert.Equal(0.02941176m, await Free(app, "a", "BTC"));
    }

    [Fact]
    public async Task The_status_shows_the_inventory_after_a_trade_its_drift_and_how_to_rebalance()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: true);
        var functions = Functions(app);
        await functions.Scan(new TimerInfo(), CancellationToken.None);

        var (status, json) = await CallAsync(ct => functions.Status(new DefaultHttpContext().Request, ct));

        Assert.Equal(200, status);
        Assert.True(json.GetProperty("enabled").GetBoolean());
        var venues = json.GetProperty("venues").EnumerateArray().ToDictionary(v => v.GetProperty("venue").GetString()!);
        // a: 500 / 17,000 = 0.02941176 BTC and 500 BUSD; bought 0.005882 for 99.999882 + 0.09999988.
        Assert.Equal((0.02941176m, 500m), (venues["a"].GetProperty("start_base").GetDecimal(), venues["a"].GetProperty("start_quote").GetDecimal()));
        Assert.Equal((0.03529376m, 399.90011812m), (venues["a"].GetProperty("base_free").GetDecimal(), venues["a"].GetProperty("quote_free").GetDecimal()));
        // b: 500 / 17,086 = 0.02926372 BTC and 500 USDT; sold 0.005882 for 100.49397 − 0.10049397.
        Assert.Equal((0.02338172m, 600.39347603m), (venues["b"].GetProperty("base_free").GetDecimal(), venues["b"].GetProperty("quote_free").GetDecimal()));
        Assert.Equal((0.005882m, -0.005882m), (venues["a"].GetProperty("base_drift").GetDecimal(), venues["b"].GetProperty("base_drift").GetDecimal()));
        Assert.Equal(
            ["move 0.005882 BTC from a to b", "move 100.09988188 of quote (reference currency) from b (USDT) to a (BUSD)"],
            json.GetProperty("rebalance").EnumerateArray().Select(l => l.GetString()!).ToArray());
        var today = json.GetProperty("today");
        Assert.Equal((1, 0.29359415m), (today.GetProperty("trades").GetInt32(), today.GetProperty("pnl").GetDecimal()));
        Assert.Equal(1, today.GetProperty("outcomes_by_status").GetProperty("completed").GetInt32());
        Assert.Equal(0.283594m, json.GetProperty("last_best_edge_percent").GetDecimal());
    }

    /// <summary>
    /// The bundled pair (no venues configured) on the real data, 0.1% on both legs: at 00:05 of 2022-12-13 the venues
    /// show the minute's opens, Binance 17,209.38 and Bybit 17,204.01 (tick 0.01: bid and ask half a cent either side). The
    /// best net edge, worked here from the CSV rows, is far below the threshold: a HOLD.
    /// </summary>
    [Fact]
    public async Task The_bundled_venues_at_real_fees_hold_with_the_best_edge_of_the_real_data()
    {
        await using var app = TestApp.Create(azurite, TestApp.ReplayAnchor.AddSeconds(10), new Dictionary<string, string?> { ["Arbitrage:Enabled"] = "true" });

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);

        var binance = Open(Path.Combine(AppContext.BaseDirectory, "data", "arbitrage", "binance", "BTC_BUSD-1m.csv"), 5);
        var bybit = Open(Path.Combine(AppContext.BaseDirectory, "data", "arbitrage", "bybit", "BTC_USDT-1m.csv"), 5);
        Assert.Equal((17_209.38m, 17_204.01m), (binance, bybit));
        static decimal Edge(decimal ask, decimal bid) => ((bid - 0.005m) * 0.999m - (ask + 0.005m) * 1.001m) / (ask + 0.005m) * 100m - 0.01m;
        var best = Math.Max(Edge(bybit, binance), Edge(binance, bybit));
        var state = await app.Get<IArbitrageStore>().GetStateAsync(CancellationToken.None);
        Assert.Equal(Math.Round(best, 6, MidpointRounding.ToZero), state.LastBestEdgePercent);
        Assert.True(best < 0.02m);
        Assert.StartsWith("pre-filter: no arbitrage worth trading: best is buy BTC/USDT on bybit", state.LastScanSummary, StringComparison.Ordinal);
        Assert.Empty(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));

        // Both venues on their own clock, the same minute: 10 wall seconds at ×30 after the anchor is 00:05 of the bundled
        // day, while the app's clock (the scalper's replay) shows its own data's time.
        var (_, books) = await app.Get<ArbitrageDesk>().ScanAsync(CancellationToken.None);
        var minute = new DateTimeOffset(2022, 12, 13, 0, 5, 0, TimeSpan.Zero);
        Assert.All(books, b => Assert.Equal(minute, b.Book.Timestamp));
        Assert.NotEqual(minute.Date, app.Market.GetUtcNow().Date);
    }

    [Fact]
    public async Task The_decision_endpoint_answers_an_arbitrage_with_the_scans_numbers_and_trades_nothing_without_execute()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: true);
        var ai = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var (status, json) = await CallAsync(ct => ai.Decision(FunctionClassTests.Post("""{"symbol":"BTC/USDT","strategy":"arbitrage"}"""), ct));

        Assert.Equal(200, status);
        Assert.Equal(("arbitrage", "buy", "BTC/BUSD"), (json.GetProperty("strategy").GetString(), json.GetProperty("action").GetString(), json.GetProperty("symbol").GetString()));
        Assert.Equal((17_001m, 17_085m), (json.GetProperty("entry_price").GetDecimal(), json.GetProperty("take_profit").GetDecimal()));
        // The books' prices carry the model's decimals (17,086 − a half tick of 1.00); the edge over the amount walked:
        // 0.29359414 / 99.999882 − 0.01% = 0.28359…%.
        Assert.Equal(
            "Arbitrage: buy BTC/BUSD on a at 17001.00, sell BTC/USDT on b at 17085.0000: net edge 0.2836% at the top of the books, 0.00588200 executable at 17001 / 17085 for 0.2836% (0.29359414 expected).",
            json.GetProperty("reasoning").GetString());
        Assert.Empty(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));
        Assert.Equal(0.02941176m, await Free(app, "a", "BTC"));

        var (badStatus, bad) = await CallAsync(ct => ai.Decision(FunctionClassTests.Post("""{"symbol":"ETH/USDT","strategy":"arbitrage"}"""), ct));
        Assert.Equal(400, badStatus);
        Assert.Contains("the arbitrage venues trade BTC", bad.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The arbitrage's lease is exclusive among arbitrages (a live one held by another process refuses the next) and
    /// takes no scalping slot: with it held, a scalping entry is still admitted under Scalping:MaxPositions 1.
    /// </summary>
    [Fact]
    public async Task A_live_arbitrage_lease_refuses_a_second_arbitrage_and_takes_no_scalping_slot()
    {
        await using var app = OffsetApp(fee: 0.1m, enabled: true);
        var now = app.Market.GetUtcNow();
        var lease = app.Services.GetRequiredKeyedService<NeuraTrade.Core.Risk.IEntryAdmission>(ArbitrageEngine.AdmissionKey);
        var held = await lease.TryReserveAsync(ArbitrageEngine.AdmissionKey, "elsewhere", 1, now, now.AddMinutes(2), CancellationToken.None);
        Assert.True(held.Admitted);

        var scalping = await app.Get<NeuraTrade.Core.Risk.IEntryAdmission>().TryReserveAsync("BTC/USDT", "scalp-1", 1, now, now.AddMinutes(2), CancellationToken.None);
        Assert.True(scalping.Admitted, scalping.Refusal);

        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);

        var decision = Assert.Single((await app.Get<IDecisionStore>().QueryAsync(new DecisionQuery(Strategy: TradingStrategy.Arbitrage, From: now.AddHours(-1)), CancellationToken.None)).Decisions);
        Assert.Equal((TradeAction.Hold, "buy"), (decision.Action, decision.ProposedAction));
        Assert.StartsWith("not admitted: another arbitrage is being executed (decision elsewhere", decision.HoldReason, StringComparison.Ordinal);
        Assert.Empty(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None));

        await lease.ReleaseAsync(held.Slot!, CancellationToken.None);
        await Functions(app).Scan(new TimerInfo(), CancellationToken.None);
        Assert.Equal(ArbitrageStatus.Completed, Assert.Single(await app.Get<IArbitrageStore>().GetOutcomesAsync(Today(app), CancellationToken.None)).Outcome.Status);
    }

    [Theory]
    [InlineData("Arbitrage:Venues:0:Name", "solo", "Arbitrage:Venues has one venue: an arbitrage needs at least two")]
    [InlineData("Arbitrage:QuoteRates:BUSD", "0", "Arbitrage:QuoteRates:BUSD is not set (venue a quotes BTC/BUSD)")]
    [InlineData("ArbitrageScanSchedule", "*/10 * * * *", "ArbitrageScanSchedule must be a 6-field NCRONTAB expression")]
    public async Task Wrong_arbitrage_settings_stop_the_start_naming_the_key(string key, string value, string said)
    {
        var settings = key == "Arbitrage:Venues:0:Name"
            ? new Dictionary<string, string?> { [key] = value, ["Arbitrage:Venues:0:Symbol"] = "BTC/USDT" }
            : null;
        await using var app = settings is null
            ? OffsetApp(fee: 0.1m, enabled: false, settings: new() { [key] = value })
            : TestApp.Create(azurite, Start, settings);

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => app.Get<Microsoft.Extensions.Options.IStartupValidator>().Validate());
        Assert.Contains(said, string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    private TestApp OffsetApp(decimal fee, bool enabled, Dictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var a = Venue("a", "BTC_BUSD", 17_000m);
        var b = Venue("b", "BTC_USDT", 17_086m);
        var all = new Dictionary<string, string?>
        {
            ["Arbitrage:Enabled"] = enabled ? "true" : "false",
            ["Arbitrage:Venues:0:Name"] = "a",
            ["Arbitrage:Venues:0:Symbol"] = "BTC/BUSD",
            ["Arbitrage:Venues:0:ReplayDirectory"] = a,
            ["Arbitrage:Venues:0:TakerFeePercent"] = fee.ToString(CultureInfo.InvariantCulture),
            ["Arbitrage:Venues:0:SlippagePercent"] = "0",
            ["Arbitrage:Venues:1:Name"] = "b",
            ["Arbitrage:Venues:1:Symbol"] = "BTC/USDT",
            ["Arbitrage:Venues:1:ReplayDirectory"] = b,
            ["Arbitrage:Venues:1:TakerFeePercent"] = fee.ToString(CultureInfo.InvariantCulture),
            ["Arbitrage:Venues:1:SlippagePercent"] = "0",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        return TestApp.Create(azurite, Start, all, services: services);
    }

    /// <summary>Two hours of constant 1m candles at <paramref name="price"/> from 2022-12-13 00:00, 1,000 BTC a minute (10 BTC a book level), tick 2.</summary>
    private string Venue(string name, string file, decimal price)
    {
        var dir = Directory.CreateDirectory(Path.Combine(_data, name)).FullName;
        var csv = new StringBuilder("timestamp,open,high,low,close,volume\n");
        var first = new DateTimeOffset(2022, 12, 13, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var i = 0; i < 120; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{first + (i * 60_000)},{price},{price},{price},{price},1000\n");
        }

        File.WriteAllText(Path.Combine(dir, file + "-1m.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(dir, "markets.json"), "{\"markets\":{\"" + file.Replace('_', '/') + "\":{\"tick_size\":2}}}");
        return dir;
    }

    private static decimal Open(string path, int minute) =>
        decimal.Parse(File.ReadLines(path).Skip(1 + minute).First().Split(',')[1], CultureInfo.InvariantCulture);

    private static ArbitrageFunctions Functions(TestApp app) => ActivatorUtilities.CreateInstance<ArbitrageFunctions>(app.Services);

    private static DateOnly Today(TestApp app) => DateOnly.FromDateTime(app.Market.GetUtcNow().UtcDateTime);

    private static async Task<decimal> Free(TestApp app, string venue, string currency) =>
        (await app.Get<ArbitrageDesk>().Venues.Single(v => v.Name == venue).Exchange.FetchBalanceAsync(CancellationToken.None)).Free(currency);

    private static async Task<(int Status, JsonElement Json)> CallAsync(Func<CancellationToken, Task<IActionResult>> call)
    {
        var result = Assert.IsType<ContentResult>(await call(CancellationToken.None));
        return (result.StatusCode ?? 200, JsonDocument.Parse(result.Content!).RootElement.Clone());
    }
}
