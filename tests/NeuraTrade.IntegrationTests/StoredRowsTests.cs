using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Rows written by released versions (Fixtures/stored-rows.json, never edited; each version adds its own) still read,
/// on real Azurite, with the values they were written with and the defaults the newer fields take for them.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StoredRowsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Version_1_positions_and_state_read_with_their_fees_in_quote()
    {
        var tables = await LoadAsync("v1");
        var positions = new TablePositionStore(tables);

        var open = Assert.Single(await positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal(("pos-v1-open", "BTC/USDT", PositionSide.Long, 0.002m, 50_000m), (open.Id, open.Symbol, open.Side, open.Amount, open.EntryPrice));
        Assert.Null(open.EntryFees);
        Assert.Equal([new FeeCharge("USDT", 0.1m)], open.EntryCharges);

        var closed = Assert.Single(await positions.GetClosedAsync(new DateOnly(2026, 11, 20), CancellationToken.None));
        Assert.Equal(ExitReason.Timeout, closed.ExitReason);
        Assert.Equal([new FeeCharge("USDT", 0.101m)], closed.ExitCharges);
        Assert.Null(closed.QuoteRate);

        // (50,500 − 50,000) × 0.002 − 0.1 − 0.101 = 0.799, as the row says; a USDT market needs no rate.
        Assert.Equal(0.799m, closed.RealizedPnl);
        Assert.Equal(0.799m, closed.AccountPnl);

        var state = await StateStore(tables, new DateTimeOffset(2026, 11, 20, 10, 5, 0, TimeSpan.Zero)).GetAsync(CancellationToken.None);
        Assert.Equal((true, 0.799m, 12.5m, 1, 1), (state.Active, state.DailyRealizedPnl, state.TotalRealizedPnl, state.TradesToday, state.WinsToday));
        Assert.Equal(0m, state.DayPeakEquity);
    }

    [Fact]
    public async Task Version_2_rows_read_with_fee_currencies_quote_rates_and_the_equity_peak()
    {
        var tables = await LoadAsync("v2");

        var closed = Assert.Single(await new TablePositionStore(tables).GetClosedAsync(new DateOnly(2026, 12, 2), CancellationToken.None));
        Assert.Equal([new FeeCharge("ETH", 0.0000995m)], closed.EntryCharges);
        Assert.Equal([new FeeCharge("BTC", 0.00000487m)], closed.ExitCharges);

        // (0.049 − 0.05) × 0.0994005 − 0.000004975 − 0.00000487 = −0.0001092455 BTC, × 20,000 = −2.18491 USDT.
        Assert.Equal(-0.0001092455m, closed.RealizedPnl);
        Assert.Equal(20_000m, closed.QuoteRate);
        Assert.Equal(-2.18491m, closed.AccountPnl);

        var state = await StateStore(tables, new DateTimeOffset(2026, 12, 2, 10, 5, 0, TimeSpan.Zero)).GetAsync(CancellationToken.None);
        Assert.Equal((-2.18491m, 10.31509m, 0.5m), (state.DailyRealizedPnl, state.TotalRealizedPnl, state.DayPeakEquity));

        // Written before the economy screen counted: nothing asked or screened yet today.
        Assert.Equal((0, 0), (state.AskedToday, state.ScreenedToday));
        Assert.Equal(0m, state.ArbitrageRealizedToday); // written before the arbitrage counted in the account's daily loss
    }

    /// <summary>
    /// Decisions as the journal wrote them before <c>setup_strength</c> existed: a rules-brain HOLD from a scan (its
    /// confidence then the strength of the setup it did not take) and an executed LLM entry with its call and outcome.
    /// They read by id, by symbol and by day, every value as written, and with no setup strength.
    /// </summary>
    [Fact]
    public async Task Version_2_decisions_read_with_their_values_and_no_setup_strength()
    {
        var tables = await LoadAsync("v2");
        var store = new TableDecisionStore(tables, new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero)));

        var hold = await store.GetByIdAsync("0194f0a1b2c37d4e8f9a0b1c2d3e4f50", CancellationToken.None);
        Assert.NotNull(hold);
        Assert.Equal(("BTC/USDT", TradingStrategy.Scalping, TradeAction.Hold, (OrderSide?)null, 0m, 0.79m), (hold.Symbol, hold.Strategy, hold.Action, hold.Side, hold.SizePercent, hold.Confidence));
        Assert.Equal(("rules-v1", 0, DecisionSource.Scan, 91952.1m), (hold.ModelUsed, hold.TokensUsed, hold.Source, hold.MarketPrice));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 4, 59, 999, TimeSpan.Zero), hold.CreatedAt);
        Assert.StartsWith("Uptrend but the last close 91950.5", hold.Reasoning, StringComparison.Ordinal);
        Assert.Equal((null, null, null, null, null, OrderType.Market), (hold.EntryPrice, hold.HoldReason, hold.ProposedAction, hold.Outcome, hold.Trace, hold.OrderType));
        Assert.Null(hold.SetupStrength);

        var buy = await store.GetByIdAsync("0194f0a6d8e97f0a1b2c3d4e5f607182", CancellationToken.None);
        Assert.NotNull(buy);
        Assert.Equal(("ETH/USDT", TradeAction.Buy, (OrderSide?)OrderSide.Buy, 10m, 0.72m), (buy.Symbol, buy.Action, buy.Side, buy.SizePercent, buy.Confidence));
        Assert.Equal(((decimal?)3051.5m, (decimal?)3044.1m, (decimal?)3063.0m, 3051.35m), (buy.EntryPrice, buy.StopLoss, buy.TakeProfit, buy.MarketPrice));
        Assert.Equal(((DecisionOutcome?)DecisionOutcome.Win, (decimal?)1.2345m), (buy.Outcome, buy.Pnl));
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 10, 10, 0, 999, TimeSpan.Zero), buy.ExecutedAt);
        Assert.Equal(("gpt-4o-mini", 1394, "close below 3044"), (buy.ModelUsed, buy.TokensUsed, buy.Invalidation));
        Assert.NotNull(buy.Trace);
        Assert.Equal(("openai", 1180L, 214L, (decimal?)0.0003054m, 1420L, 2, "ok"), (buy.Trace.Provider, buy.Trace.InputTokens, buy.Trace.OutputTokens, buy.Trace.CostUsd, buy.Trace.LatencyMs, buy.Trace.Rounds, buy.Trace.Status));
        Assert.Equal("get_order_book", Assert.Single(buy.Trace.ToolCalls).Name);
        Assert.Contains("\"confidence\":0.72", buy.Trace.RawText, StringComparison.Ordinal);
        Assert.Null(buy.SetupStrength);

        // The same rows through the symbol partition and the day's time copies.
        Assert.Equal(hold, Assert.Single(await store.GetLatestAsync("BTC/USDT", 10, CancellationToken.None)));
        var day = await store.QueryAsync(new DecisionQuery(From: new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero)), CancellationToken.None);
        Assert.Equal([buy.Id, hold.Id], day.Decisions.Select(d => d.Id));
    }

    /// <summary>
    /// The fan-out's claim rows as written before they carried the status (owner and until only): they read as "nothing
    /// recorded yet" (the symbol mid-scan in its interval, since its claim is held; the other pending), and the next
    /// interval takes the old row over and settles its outcome on it.
    /// </summary>
    [Fact]
    public async Task Version_5_fan_out_claims_read_with_no_recorded_outcome_and_take_the_next_one()
    {
        var tables = await LoadAsync("v5");
        var store = new TableScanClaimStore(tables);

        var snapshot = await store.ReadAsync(CancellationToken.None);
        Assert.Equal(("20261203T081010Z", "host-a-3f2c9d1e0b7a4c56", (int?)null, (DateTimeOffset?)null), (snapshot.Interval, snapshot.DispatchedBy, snapshot.Enqueued, snapshot.DispatchedAt));
        var row = snapshot.Symbols["symbol-ETH-BTC"];
        Assert.Equal(("20261203T081010Z/host-b-77aa01c2d3e4f506", (DateTimeOffset?)new DateTimeOffset(2026, 12, 3, 8, 10, 20, TimeSpan.Zero)), (row.ClaimOwner, row.ClaimUntil));
        Assert.Null(row.LastScan);
        Assert.Null(row.LastDrop);

        var status = FanOutStatus.From(snapshot, ["ETH/BTC", "LTC/BTC"], new DateTimeOffset(2026, 12, 3, 8, 10, 15, TimeSpan.Zero));
        Assert.Equal(["scanning", "pending"], status.Symbols.Select(s => s.State));
        Assert.Equal(new FanOutCounts(null, 0, 0, 0, 2), status.Counts);

        // The next interval: the lapsed old row is taken over and settled with its outcome.
        var next = new DateTimeOffset(2026, 12, 3, 8, 10, 21, TimeSpan.Zero);
        var claim = await store.TryClaimAsync("symbol-ETH-BTC", "20261203T081020Z/host-c", next, next.AddSeconds(30), CancellationToken.None);
        Assert.NotNull(claim);
        var scanned = new FanOutEvent("20261203T081020Z", next.AddSeconds(2), "host-c", FanOutOutcome.Scanned, "HOLD: no setup", "d-1");
        Assert.True(await store.SettleAsync(claim, next.AddSeconds(9), scanned, CancellationToken.None));
        Assert.Equal(scanned, (await store.ReadAsync(CancellationToken.None)).Symbols["symbol-ETH-BTC"].LastScan);
    }

    private static TableScalpingStateStore StateStore(TableStore tables, DateTimeOffset now) =>
        new(tables, Options.Create(new ScalpingOptions()), new FakeTimeProvider(now));

    /// <summary>The paper replay's anchor (lap 1, 40 days on) and a trade closed at the end of the replayed data read back as written.</summary>
    [Fact]
    public async Task Version_3_replay_anchor_and_end_of_data_trade_read()
    {
        var tables = await LoadAsync("v3");

        var anchor = (await new TableReplayAnchorStore(tables).GetAsync(CancellationToken.None))!.Anchor;
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 21, 0, 0, TimeSpan.Zero), anchor.Wall);
        Assert.Equal(new DateTimeOffset(2023, 2, 11, 16, 45, 0, TimeSpan.Zero), anchor.Market);
        Assert.Equal((30d, 1, TimeSpan.FromDays(40)), (anchor.Speed, anchor.Lap, anchor.DataOffset));
        Assert.Equal(new DateTimeOffset(2023, 1, 2, 16, 45, 0, TimeSpan.Zero), anchor.DataStart);

        // Ten wall seconds after the anchor at ×30: five market minutes on.
        Assert.Equal(new DateTimeOffset(2023, 2, 11, 16, 50, 0, TimeSpan.Zero), anchor.MarketAt(anchor.Wall.AddSeconds(10)));

        var closed = Assert.Single(await new TablePositionStore(tables).GetClosedAsync(new DateOnly(2023, 2, 9), CancellationToken.None));
        Assert.Equal(ExitReason.EndOfData, closed.ExitReason);
        Assert.Equal((21_900m, new DateTimeOffset(2023, 2, 9, 23, 59, 0, TimeSpan.Zero)), (closed.ExitPrice!.Value, closed.ClosedAt!.Value));
    }

    /// <summary>
    /// Issue 15's rows: an open position with the best and worst price its checks saw, a decision with its market features,
    /// and a trade's outcome, read by symbol and by model (the model's '/' escaped in the key).
    /// </summary>
    [Fact]
    public async Task Version_4_learning_rows_read_with_excursion_features_and_outcomes()
    {
        var tables = await LoadAsync("v4");

        var open = Assert.Single(await new TablePositionStore(tables).GetOpenAsync(CancellationToken.None));
        Assert.Equal((92_150.5m, 91_940m), (open.BestPrice, open.WorstPrice));

        var decisions = new TableDecisionStore(tables, new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero)));
        var decision = Assert.Single(await decisions.GetLatestAsync("BTC/USDT", 10, CancellationToken.None));
        Assert.Equal(new NeuraTrade.Core.Markets.MarketFeatures(0.1004m, 0.01m, 0.1207m, -0.0412m, 61.2m, 10), decision.Features);

        var store = new TableOutcomeStore(tables);
        var bySymbol = Assert.Single(await store.QueryAsync(new NeuraTrade.Core.Learning.OutcomeQuery(Symbol: "BTC/USDT"), CancellationToken.None));
        var byModel = Assert.Single(await store.QueryAsync(new NeuraTrade.Core.Learning.OutcomeQuery(Model: "openai/gpt-4o-mini"), CancellationToken.None));
        Assert.Equal(bySymbol, byModel);
        Assert.Equal(("v4closed", NeuraTrade.Core.Learning.OutcomeResult.Loss, -0.284m, 0.184m, TimeSpan.FromMinutes(2), ExitReason.StopLoss, 2), (bySymbol.DecisionId, bySymbol.Result, bySymbol.Pnl, bySymbol.Fees, bySymbol.Hold, bySymbol.ExitReason, bySymbol.Parts));
        Assert.Equal((0.05m, 0.1m, 10), (bySymbol.MfePercent, bySymbol.MaePercent, bySymbol.Features!.HourOfDay));
    }

    /// <summary>Issue 16's rows: the arbitrage's state (off by the kill switch, its last scan), a completed arbitrage's outcome and a paper venue's balances.</summary>
    [Fact]
    public async Task Version_5_arbitrage_state_outcome_and_venue_account_read()
    {
        var tables = await LoadAsync("v5-arbitrage");
        var store = new TableArbitrageStore(tables, Options.Create(new NeuraTrade.Core.Arbitrage.ArbitrageOptions { Enabled = true }));

        var state = await store.GetStateAsync(CancellationToken.None);
        Assert.False(state.Enabled);
        Assert.StartsWith("the kill switch fired at 2026-12-03T10:00:00", state.OffReason, StringComparison.Ordinal);
        Assert.Equal((0.283594m, new DateTimeOffset(2026, 12, 3, 9, 59, 50, TimeSpan.Zero)), (state.LastBestEdgePercent!.Value, state.LastScanAt!.Value));

        var stored = Assert.Single(await store.GetOutcomesAsync(new DateOnly(2026, 12, 3), CancellationToken.None));
        var o = stored.Outcome;
        Assert.Equal(("v5arb", NeuraTrade.Core.Arbitrage.ArbitrageStatus.Completed, "a", "b"), (o.DecisionId, o.Status, o.BuyVenue, o.SellVenue));
        Assert.Equal((0.005882m, 17_001m, 0.005882m, 17_085m, 0.09999988m, 0.10049397m), (o.Bought, o.BuyPrice, o.Sold, o.SellPrice, o.BuyFee, o.SellFee));
        // 0.005882 × 17,085 − 0.10049397 − 0.005882 × 17,001 − 0.09999988 = 0.29359415, as the row says.
        Assert.Equal(0.29359415m, o.Profit);
        Assert.Equal(0.005882m * 17_085m - 0.10049397m - (0.005882m * 17_001m) - 0.09999988m, o.Profit);

        var account = await TablePaperAccountStore.ForVenue(tables, "a").LoadAsync(CancellationToken.None);
        Assert.Equal((0.03529376m, 399.90011812m), (account!.Balances["BTC"], account.Balances["BUSD"]));
        Assert.Null(await TablePaperAccountStore.ForVenue(tables, "b").LoadAsync(CancellationToken.None));
    }

    /// <summary>Writes the fixture's rows of <paramref name="version"/> as they are, under a fresh table prefix.</summary>
    private async Task<TableStore> LoadAsync(string version)
    {
        var tables = new TableStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TableStorageOptions { TablePrefix = AzuriteFixture.UniquePrefix() }));
        using var fixture = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "stored-rows.json")));
        foreach (var row in fixture.RootElement.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("version").GetString() == version))
        {
            var entity = new TableEntity(row.GetProperty("partition").GetString(), row.GetProperty("row").GetString());
            foreach (var property in row.GetProperty("properties").EnumerateObject())
            {
                var text = property.Value[1].GetString()!;
                entity[property.Name] = property.Value[0].GetString() switch
                {
                    "string" => text,
                    "datetime" => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    "bool" => bool.Parse(text),
                    "int" => int.Parse(text, CultureInfo.InvariantCulture),
                    "long" => long.Parse(text, CultureInfo.InvariantCulture),
                    "double" => double.Parse(text, CultureInfo.InvariantCulture),
                    var type => throw new InvalidDataException($"unknown property type {type}"),
                };
            }

            var table = await tables.GetTableAsync(row.GetProperty("table").GetString()!, CancellationToken.None);
            await table.AddEntityAsync(entity);
        }

        return tables;
    }
}
