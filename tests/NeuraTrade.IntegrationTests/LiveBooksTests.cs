using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Storage;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The live books check on real Azurite, over the paper account (which charges a BUY's fee in BTC, as Binance does): the
/// account held other coins and more quote before the app's first start; every expected balance comes from the exchange's
/// own fills or is worked out by hand, never from the books' formula.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LiveBooksTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ScanInterval = TimeSpan.FromSeconds(10);

    /// <summary>What the account holds before the app first runs: 0.25 BTC of the user's, BNB and ETH the app never trades.</summary>
    private static readonly Dictionary<string, decimal> Held = new(StringComparer.Ordinal)
    {
        ["USDT"] = 12_345.67m,
        ["BTC"] = 0.25m,
        ["BNB"] = 3.5m,
        ["ETH"] = 2m,
    };

    [Fact]
    public async Task Books_agree_through_the_app_s_trades_on_an_account_holding_other_coins_and_a_manual_trade_is_exactly_its_difference()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        var logs = new LogLines();
        await using var app = TestApp.Create(azurite, buyAt - ScanInterval, new Dictionary<string, string?> { ["Scalping:Symbols"] = "BTC/USDT" }, logs);
        await app.Get<IPaperAccountStore>().SaveOrdersAsync(Held, [], CancellationToken.None);
        var control = app.Get<ScalpingControl>();
        var engine = app.Get<ScalpingEngine>();
        var exchange = app.Get<IExchange>();

        var unknown = (await control.GetStatusAsync(CancellationToken.None)).Books;
        Assert.Null(unknown.Agrees);
        Assert.Contains("no baseline yet", unknown.Reason, StringComparison.Ordinal);

        // The first scan (toggled off: it trades nothing) records the account as it is.
        await control.SetActiveAsync(false, CancellationToken.None);
        await engine.RunScanAsync(CancellationToken.None);
        var baseline = (await app.Get<IAccountBaselineStore>().GetAsync(CancellationToken.None))!;
        Assert.Equal(TestApp.MarketTimeAt(buyAt - ScanInterval), baseline.RecordedAt);
        Assert.Equal(TestApp.MarketTimeAt(buyAt - ScanInterval), baseline.PositionsSince);
        Assert.Equal(Held.OrderBy(kv => kv.Key), baseline.Balances.Where(kv => kv.Value != 0m).OrderBy(kv => kv.Key));

        // The app trades: an entry now, then scans every 30 s until two positions have closed (hold time 2 minutes).
        await control.SetActiveAsync(true, CancellationToken.None);
        app.Time.Advance(ScanInterval);
        Assert.NotNull(Assert.Single((await engine.RunScanAsync(CancellationToken.None)).Symbols).Opened);
        var closed = 0;
        for (var i = 0; i < 200 && closed < 2; i++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(30));
            closed += (await engine.RunScanAsync(CancellationToken.None)).Symbols.Sum(s => s.Closed.Count);
        }

        Assert.True(closed >= 2, $"only {closed} positions closed");

        // By the issue's rule, from the exchange's own fills: USDT = start + sells − buys − USDT fees; BTC = start + bought − sold − BTC fees.
        decimal usdt = Held["USDT"], btc = Held["BTC"];
        var fills = await exchange.FetchMyTradesAsync("BTC/USDT", null, null, CancellationToken.None);
        foreach (var fill in fills)
        {
            usdt += fill.Side == OrderSide.Sell ? fill.Cost : -fill.Cost;
            btc += fill.Side == OrderSide.Buy ? fill.Amount : -fill.Amount;
            usdt -= fill.FeeCurrency == "USDT" ? fill.Fee : 0m;
            btc -= fill.FeeCurrency == "BTC" ? fill.Fee : 0m;
        }

        Assert.Contains(fills, f => f.Side == OrderSide.Buy && f.FeeCurrency == "BTC");
        Assert.True(fills.Count >= 4, $"{fills.Count} fills");
        app.Time.Advance(ScanInterval);
        var agreed = (await control.GetStatusAsync(CancellationToken.None)).Books;
        var account = await exchange.FetchBalanceAsync(CancellationToken.None);

        Assert.True(agreed.Agrees, Describe(agreed));
        Assert.Null(agreed.Reason);
        Assert.Equal(TestApp.MarketTimeAt(app.Time.GetUtcNow()), agreed.CheckedAt);
        Assert.Equal(TestApp.MarketTimeAt(buyAt - ScanInterval), agreed.BaselineAt);
        Assert.Equal(["BTC", "USDT"], agreed.Currencies.Select(c => c.Currency)); // BNB and ETH are left alone
        AssertLine(agreed, "USDT", usdt, account.ByCurrency["USDT"].Total);
        AssertLine(agreed, "BTC", btc, account.ByCurrency["BTC"].Total);
        Assert.Equal(usdt, account.ByCurrency["USDT"].Total);
        Assert.Equal(btc, account.ByCurrency["BTC"].Total);
        Assert.Equal(3.5m, account.ByCurrency["BNB"].Total);

        // Once per scan interval (10 s, from ScalpingScanSchedule): five seconds later the status shows the same check.
        app.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(agreed.CheckedAt, (await control.GetStatusAsync(CancellationToken.None)).Books.CheckedAt);

        // The user buys 0.001 BTC by hand. The venue keeps 0.1% of it in BTC: the account gets 0.001 − 0.000001 = 0.000999.
        var manual = await exchange.CreateOrderAsync(new OrderRequest("BTC/USDT", OrderType.Market, OrderSide.Buy, 0.001m, null, "by-hand-1"), CancellationToken.None);
        Assert.Equal(0.001m, manual.Filled);
        Assert.Equal("BTC", manual.FeeCurrency);
        Assert.Equal(0.000001m, manual.Fee);
        app.Time.Advance(ScanInterval);
        var disagreed = (await control.GetStatusAsync(CancellationToken.None)).Books;

        Assert.False(disagreed.Agrees);
        var btcLine = disagreed.Currencies.Single(c => c.Currency == "BTC");
        var usdtLine = disagreed.Currencies.Single(c => c.Currency == "USDT");
        Assert.Equal(btc, btcLine.Expected);
        Assert.Equal(0.000999m, btcLine.Difference);
        Assert.False(btcLine.Agrees);
        Assert.Equal(usdt, usdtLine.Expected);
        Assert.Equal(-manual.Cost, usdtLine.Difference);

        // One warning line for the disagreement, not one per check.
        app.Time.Advance(ScanInterval);
        Assert.False((await control.GetStatusAsync(CancellationToken.None)).Books.Agrees);
        var warning = Assert.Single(logs.Lines, l => l.Contains("Books disagree", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", warning, StringComparison.Ordinal);
        Assert.Contains("BTC expected", warning, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', warning.TrimEnd());

        // Deleting the baseline row (docs/scalping.md) makes the next scan record the account as it now is.
        var table = await app.Get<TableStore>().GetTableAsync(TableNames.ScalpingState, CancellationToken.None);
        await table.DeleteEntityAsync(TableAccountBaselineStore.Partition, TableAccountBaselineStore.Row);
        await control.SetActiveAsync(false, CancellationToken.None);
        app.Time.Advance(ScanInterval);
        await engine.RunScanAsync(CancellationToken.None);
        var reset = (await control.GetStatusAsync(CancellationToken.None)).Books;
        Assert.True(reset.Agrees, Describe(reset));
        Assert.Equal(TestApp.MarketTimeAt(app.Time.GetUtcNow()), reset.BaselineAt);
        Assert.Contains(logs.Lines, l => l.StartsWith("Information Books agree with the account again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_processes_recording_a_baseline_at_once_store_one_and_both_get_it()
    {
        var settings = new Dictionary<string, string?> { ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix() };
        await using var first = TestApp.Create(azurite, Start, settings);
        await using var second = TestApp.Create(azurite, Start, settings);
        var stores = new[] { first.Get<IAccountBaselineStore>(), second.Get<IAccountBaselineStore>() };
        Assert.All(stores, s => Assert.IsType<TableAccountBaselineStore>(s));
        Assert.Null(await stores[0].GetAsync(CancellationToken.None));

        var added = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() => stores[i % 2].AddIfAbsentAsync(
            new AccountBaseline(Start.AddSeconds(i), Start.AddSeconds(i), new Dictionary<string, decimal> { ["USDT"] = 1_000m + i, ["BTC"] = 0.12345678m }),
            CancellationToken.None))));

        var stored = (await stores[1].GetAsync(CancellationToken.None))!;
        Assert.All(added, a =>
        {
            Assert.Equal(stored.RecordedAt, a.RecordedAt);
            Assert.Equal(stored.Balances["USDT"], a.Balances["USDT"]);
            Assert.Equal(stored.Version, a.Version);
        });
        Assert.Equal(0.12345678m, stored.Balances["BTC"]);
        Assert.Equal(1_000m + (decimal)(stored.RecordedAt - Start).TotalSeconds, stored.Balances["USDT"]);

        // Rolled forward under its ETag only: a second replace from the same (now stale) read is refused.
        var rolled = stored with { PositionsSince = Start.AddDays(1), Balances = new Dictionary<string, decimal> { ["USDT"] = 7.5m } };
        Assert.True(await stores[0].ReplaceAsync(stored, rolled, CancellationToken.None));
        Assert.False(await stores[1].ReplaceAsync(stored, stored with { PositionsSince = Start.AddDays(2) }, CancellationToken.None));
        var read = (await stores[1].GetAsync(CancellationToken.None))!;
        Assert.Equal(Start.AddDays(1), read.PositionsSince);
        Assert.Equal(stored.RecordedAt, read.RecordedAt);
        Assert.Equal(7.5m, Assert.Single(read.Balances).Value);

        // The state row next to it is untouched by the baseline, and reads as before.
        await first.Get<IScalpingStateStore>().UpdateAsync(s => s with { Active = false }, CancellationToken.None);
        Assert.False((await second.Get<IScalpingStateStore>().GetAsync(CancellationToken.None)).Active);
        Assert.Equal(Start.AddDays(1), (await stores[0].GetAsync(CancellationToken.None))!.PositionsSince);
    }

    private static void AssertLine(BooksStatus books, string currency, decimal expected, decimal actual)
    {
        var line = books.Currencies.Single(c => c.Currency == currency);
        Assert.Equal(expected, line.Expected);
        Assert.Equal(actual, line.Actual);
        Assert.True(line.Agrees, $"{currency}: expected {line.Expected}, actual {line.Actual}");
    }

    private static string Describe(BooksStatus books) =>
        books.Reason ?? string.Join("; ", books.Currencies.Select(c => $"{c.Currency} expected {c.Expected} actual {c.Actual}"));

    /// <summary>Keeps every log line of the app as "Level message".</summary>
    private sealed class LogLines : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(LogLines owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Lines.Enqueue($"{logLevel} {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
        }
    }
}
