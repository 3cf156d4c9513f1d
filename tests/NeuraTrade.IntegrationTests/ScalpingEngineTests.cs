using NeuraTrade.Functions.Composition;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.IntegrationTests;

/// <summary>The scan on the paper exchange over replayed real BTC/USDT candles, journaling to real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScalpingEngineTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string?> BtcOnly = new() { ["Scalping:Symbols"] = "BTC/USDT" };

    [Fact]
    public async Task Scan_opens_a_position_then_a_later_scan_closes_it_and_pnl_equals_the_cash_change()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, BtcOnly);
        var engine = app.Get<ScalpingEngine>();
        var exchange = app.Get<IExchange>();

        var first = await engine.RunScanAsync(CancellationToken.None);

        var opened = Assert.Single(first.Symbols).Opened;
        Assert.NotNull(opened);
        Assert.True(opened.EntryNotional <= 100m, $"notional {opened.EntryNotional} exceeds Scalping:MaxPositionSize");
        Assert.Equal(opened, Assert.Single(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None)));
        var entryDecision = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        Assert.Equal(TradeAction.Buy, entryDecision.Action);
        Assert.Equal(opened.DecisionId, entryDecision.Id);
        Assert.Equal(DecisionOutcome.Pending, entryDecision.Outcome);
        Assert.Equal(TestApp.MarketTimeAt(buyAt), entryDecision.ExecutedAt);

        // Six market minutes later (twelve wall seconds at ×30): past the tests' five-minute hold. Toggled off, the scan
        // runs the exits only, so no new entry muddies the cash check below.
        app.Time.Advance(TimeSpan.FromSeconds(12));
        await app.Get<ScalpingControl>().SetActiveAsync(false, CancellationToken.None);
        var second = await engine.RunScanAsync(CancellationToken.None);

        var closed = Assert.Single(Assert.Single(second.Symbols).Closed);
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        var trade = Assert.Single(await app.Get<IPositionStore>().GetClosedAsync(DateOnly.FromDateTime(TestApp.MarketTimeAt(buyAt).UtcDateTime), CancellationToken.None));
        Assert.Equal(closed, trade);
        var pnl = trade.RealizedPnl!.Value;
        var balances = await exchange.FetchBalanceAsync(CancellationToken.None);
        Assert.Equal(10_000m + pnl, balances.Free("USDT"));
        Assert.Equal(0m, balances.Free("BTC"));

        var state = await app.Get<IScalpingStateStore>().GetAsync(CancellationToken.None);
        Assert.Equal(pnl, state.DailyRealizedPnl);
        Assert.Equal(1, state.TradesToday);
        var journaled = (await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None)).Single(d => d.Id == opened.DecisionId);
        Assert.Equal(pnl > 0m ? DecisionOutcome.Win : DecisionOutcome.Loss, journaled.Outcome);
        Assert.Equal(pnl, journaled.Pnl);
    }

    [Fact]
    public async Task Toggled_off_scan_makes_no_decision_and_records_that_it_ran()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, BtcOnly);
        await app.Get<ScalpingControl>().SetActiveAsync(false, CancellationToken.None);

        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Empty(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        var status = await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None);
        Assert.False(status.Active);
        Assert.Equal(TestApp.MarketTimeAt(buyAt), status.LastScanAt);
        Assert.Equal("scalping is toggled off", status.PausedReason);
    }

    [Fact]
    public async Task No_entry_after_the_daily_loss_limit_and_the_brain_is_not_even_asked()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, BtcOnly);
        // A trade closed earlier today (market time: the replay's day) lost 100 USDT (bought 1 BTC at 20,000, sold at
        // 19,900, no fees): the whole daily budget. The gate reads the day's loss from the stored trades, so this row alone must stop entries.
        var market = TestApp.MarketTimeAt(buyAt);
        Assert.True(market.TimeOfDay >= TimeSpan.FromMinutes(30), "the lost trade must be on the same market day");
        var lost = new Position("pos-lost", "BTC/USDT", PositionSide.Long, 1m, 20_000m, 0m, 19_800m, 20_200m, market.AddMinutes(-30), "o-lost", "d-lost", market.AddMinutes(-30))
            with { ExitPrice = 19_900m, ExitFee = 0m, ClosedAt = market.AddMinutes(-20), ExitReason = ExitReason.StopLoss, ExitOrderId = "o-lost-exit" };
        Assert.Equal(-100m, lost.RealizedPnl);
        await app.Get<IPositionStore>().CloseAsync(lost, CancellationToken.None);

        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.Null(Assert.Single(report.Symbols).Opened);
        var decision = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        Assert.Equal(TradeAction.Hold, decision.Action);
        Assert.Equal(DecisionMaker.PreFilterModel, decision.ModelUsed);
        Assert.StartsWith("pre-filter: daily loss limit", decision.HoldReason, StringComparison.Ordinal);
        Assert.Contains("daily loss limit", (await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None)).PausedReason, StringComparison.Ordinal);

        // The limit is per UTC day of the market: the next market day (48 wall minutes later at ×30) trades again.
        app.Time.Advance(TimeSpan.FromMinutes(48));
        Assert.True(app.Market.GetUtcNow().Date > market.Date);
        var nextDay = await app.Get<IScalpingStateStore>().GetAsync(CancellationToken.None);
        Assert.Equal(0m, nextDay.On(app.Market.GetUtcNow()).DailyRealizedPnl);
    }

    [Fact]
    public async Task A_restarted_app_closes_the_position_the_previous_one_opened()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        var settings = new Dictionary<string, string?>(BtcOnly) { ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix() };
        Position opened;
        await using (var before = TestApp.Create(azurite, buyAt, settings))
        {
            opened = Assert.Single((await before.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)).Symbols).Opened!;
        }

        await using var after = TestApp.Create(azurite, buyAt.AddMinutes(5), settings);
        var report = await after.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        var closed = Assert.Single(Assert.Single(report.Symbols).Closed);
        Assert.Equal(opened.Id, closed.Id);
        Assert.Equal(0m, (await after.Get<IExchange>().FetchBalanceAsync(CancellationToken.None)).Free("BTC"));
    }

    [Fact]
    public async Task Symbols_without_market_data_are_said_once_at_start_and_skipped_by_the_scans()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt);

        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        // The seed's three symbols are configured; only BTC/USDT has a bundled file: the scan trades it and lists no error for the others.
        Assert.Equal(["BTC/USDT", "ETH/USDT", "SOL/USDT"], app.Get<IOptions<ScalpingOptions>>().Value.Symbols);
        var only = Assert.Single(report.Symbols);
        Assert.Equal("BTC/USDT", only.Symbol);
        Assert.NotNull(only.Opened);
        var said = Assert.Single(app.Get<StartupReport>().Lines(), l => l.StartsWith("No market data", StringComparison.Ordinal));
        Assert.StartsWith("No market data for ETH/USDT, SOL/USDT on paper-replay: scans skip them.", said, StringComparison.Ordinal);
    }
}
