using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Functions;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>Scan claims, reconciliation after a crash, the kill switch and manual close, on real Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ScanClaimTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_scans_at_once_in_two_processes_open_one_position()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        var settings = Settings();
        await using var first = TestApp.Create(azurite, buyAt, settings);
        await using var second = TestApp.Create(azurite, buyAt, settings);

        var reports = await Task.WhenAll(
            Task.Run(() => first.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)),
            Task.Run(() => second.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)));

        Assert.Equal(1, reports.Sum(r => r.Entries));
        Assert.Single(await first.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        Assert.All(reports.Where(r => r.Skipped), r => Assert.Equal(ScanReport.AnotherScanRunning, r.SkipReason));
    }

    [Fact]
    public async Task A_scan_is_skipped_while_another_holds_the_claim_and_runs_once_the_claim_lapses()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, Settings());
        var claims = app.Get<IScanClaimStore>();
        Assert.NotNull(await claims.TryClaimAsync("scan", "someone-else", buyAt, buyAt.AddMinutes(2), CancellationToken.None));

        var blocked = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        app.Time.Advance(TimeSpan.FromMinutes(2));
        var after = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.True(blocked.Skipped);
        Assert.Equal("skipped: another scan is running", blocked.Summary);
        Assert.False(after.Skipped);
    }

    [Fact]
    public async Task Claims_are_exclusive_can_be_taken_over_once_lapsed_and_are_released_only_by_their_holder()
    {
        await using var app = TestApp.Create(azurite, Start, Settings());
        var store = app.Get<IScanClaimStore>();
        Assert.IsType<TableScanClaimStore>(store);

        var a = await store.TryClaimAsync("scan", "a", Start, Start.AddMinutes(1), CancellationToken.None);
        var b = await store.TryClaimAsync("scan", "b", Start.AddSeconds(30), Start.AddMinutes(2), CancellationToken.None);
        var c = await store.TryClaimAsync("scan", "c", Start.AddMinutes(1), Start.AddMinutes(3), CancellationToken.None);
        await store.ReleaseAsync(a!, CancellationToken.None);
        var d = await store.TryClaimAsync("scan", "d", Start.AddMinutes(2), Start.AddMinutes(4), CancellationToken.None);
        await store.ReleaseAsync(c!, CancellationToken.None);
        var e = await store.TryClaimAsync("scan", "e", Start.AddMinutes(2), Start.AddMinutes(4), CancellationToken.None);

        Assert.NotNull(a);
        Assert.Null(b);
        Assert.NotNull(c);
        Assert.Null(d);
        Assert.NotNull(e);
    }

    [Fact]
    public async Task RenewAsync_by_the_holder_extends_the_claim_so_no_other_owner_takes_it_before_the_new_until()
    {
        await using var app = TestApp.Create(azurite, Start, Settings());
        var store = app.Get<IScanClaimStore>();
        var held = (await store.TryClaimAsync("scan", "a", Start, Start.AddMinutes(1), CancellationToken.None))!;

        var renewed = await store.RenewAsync(held, Start.AddMinutes(3), CancellationToken.None);
        var pastOldUntil = await store.TryClaimAsync("scan", "b", Start.AddMinutes(2), Start.AddMinutes(4), CancellationToken.None);
        var atNewUntil = await store.TryClaimAsync("scan", "c", Start.AddMinutes(3), Start.AddMinutes(5), CancellationToken.None);

        Assert.NotNull(renewed);
        Assert.Equal(new ScanClaim("scan", "a", Start.AddMinutes(3), renewed.Token), renewed);
        Assert.NotEqual(held.Token, renewed.Token);
        Assert.Null(pastOldUntil);
        Assert.NotNull(atNewUntil);
    }

    [Fact]
    public async Task RenewAsync_after_a_takeover_or_a_release_returns_null_and_leaves_the_new_holder_in_place()
    {
        await using var app = TestApp.Create(azurite, Start, Settings());
        var store = app.Get<IScanClaimStore>();
        var old = (await store.TryClaimAsync("scan", "a", Start, Start.AddMinutes(1), CancellationToken.None))!;
        var takeover = (await store.TryClaimAsync("scan", "b", Start.AddMinutes(1), Start.AddMinutes(2), CancellationToken.None))!;

        var lateRenew = await store.RenewAsync(old, Start.AddMinutes(5), CancellationToken.None);
        var whileTakenOver = await store.TryClaimAsync("scan", "c", Start.AddMinutes(1.5), Start.AddMinutes(3), CancellationToken.None);
        await store.ReleaseAsync(takeover, CancellationToken.None);
        var afterRelease = await store.RenewAsync(takeover, Start.AddMinutes(5), CancellationToken.None);

        Assert.Null(lateRenew);
        Assert.Null(whileTakenOver);
        Assert.Null(afterRelease);
    }

    [Fact]
    public async Task After_a_crash_between_the_entry_fill_and_its_position_the_next_scan_adopts_the_fill_once()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        var settings = Settings();
        await using (var crashed = TestApp.Create(azurite, buyAt, settings))
        {
            // The order reached the exchange; the process died before the position was stored.
            await crashed.Get<IExchange>().CreateOrderAsync(
                new OrderRequest("BTC/USDT", OrderType.Market, OrderSide.Buy, 0.001m, null, ClientOrderIds.Entry("lost-decision")), CancellationToken.None);
        }

        // Restarted two wall seconds later: one market minute at ×30, inside the tests' five-minute hold.
        await using var restarted = TestApp.Create(azurite, buyAt.AddSeconds(2), settings);
        var report = await restarted.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        var status = await restarted.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None);
        var again = await restarted.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        var adopted = Assert.Single(await restarted.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        Assert.Equal("lost-decision", adopted.DecisionId);
        // Bought 0.001 BTC; the paper venue took its 0.1% taker fee from the BTC, as Binance spot does: 0.000999 is held.
        Assert.Equal(0.000999m, adopted.Amount);
        Assert.Contains(report.Reconciled!, f => f.StartsWith("adopted long 0.000999", StringComparison.Ordinal) && f.Contains("BTC/USDT", StringComparison.Ordinal));
        Assert.Null(Assert.Single(report.Symbols).Opened);
        Assert.Empty(again.Reconciled ?? []);
        Assert.Contains("reconciled: adopted", status.LastScanResult, StringComparison.Ordinal);

        // Past its hold time the adopted position exits like any other, although no decision was ever journaled for it.
        restarted.Time.Advance(TimeSpan.FromSeconds(10));
        var exited = await restarted.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);
        Assert.Equal("lost-decision", Assert.Single(Assert.Single(exited.Symbols).Closed).DecisionId);
        Assert.DoesNotContain(await restarted.Get<IPositionStore>().GetOpenAsync(CancellationToken.None), p => p.DecisionId == "lost-decision");
    }

    [Fact]
    public async Task Kill_switch_turns_scalping_off_and_closes_every_position_with_the_kill_switch_reason()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, Settings());
        var opened = Assert.Single((await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)).Symbols).Opened!;
        var functions = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);

        var (status, json) = await CallAsync(functions.Kill(new DefaultHttpContext().Request, CancellationToken.None));

        Assert.Equal(200, status);
        Assert.False(json.GetProperty("active").GetBoolean());
        var closed = Assert.Single(json.GetProperty("closed").EnumerateArray());
        Assert.Equal(opened.Id, closed.GetProperty("id").GetString());
        Assert.Equal("kill_switch", closed.GetProperty("exit_reason").GetString());
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        Assert.False((await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None)).Active);
        Assert.Equal(0m, (await app.Get<IExchange>().FetchBalanceAsync(CancellationToken.None)).Free("BTC"));
    }

    [Fact]
    public async Task Manual_close_closes_the_position_and_rejects_an_unknown_or_blank_id()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, Settings());
        var opened = Assert.Single((await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)).Symbols).Opened!;
        var functions = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);
        var request = new DefaultHttpContext().Request;

        var (blank, problem) = await CallAsync(functions.ClosePosition(request, " ", CancellationToken.None));
        var (unknown, _) = await CallAsync(functions.ClosePosition(request, "pos-nope", CancellationToken.None));
        var (ok, json) = await CallAsync(functions.ClosePosition(request, opened.Id, CancellationToken.None));

        Assert.Equal(400, blank);
        Assert.True(problem.TryGetProperty("errors", out _) || problem.TryGetProperty("detail", out _));
        Assert.Equal(404, unknown);
        Assert.Equal(200, ok);
        Assert.Equal("manual", json.GetProperty("exit_reason").GetString());
        Assert.Equal(opened.DecisionId, json.GetProperty("decision_id").GetString());
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_scan_toggled_off_enters_nothing_but_still_closes_a_position_past_a_barrier()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, Settings());
        var opened = Assert.Single((await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)).Symbols).Opened!;
        await app.Get<ScalpingControl>().SetActiveAsync(false, CancellationToken.None);
        app.Time.Advance(TimeSpan.FromMinutes(3));

        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.True(report.Skipped);
        var closed = Assert.Single(Assert.Single(report.Symbols).Closed);
        Assert.Equal(opened.Id, closed.Id);
        Assert.Contains(closed.ExitReason, new ExitReason?[] { ExitReason.Timeout, ExitReason.TakeProfit, ExitReason.StopLoss });
        Assert.Equal(0, report.Entries);
        Assert.StartsWith("skipped: scalping is toggled off (1 exits)", report.Summary, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Scalping:Symbols"] = "BTC/USDT",
        ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
    };

    private static async Task<(int Status, JsonElement Json)> CallAsync(Task<IActionResult> call)
    {
        var result = Assert.IsType<ContentResult>(await call);
        return (result.StatusCode ?? 200, JsonDocument.Parse(result.Content!).RootElement.Clone());
    }
}
