using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The live account's baseline and books check, over in-memory stores and an account the test sets by hand. Every
/// expected balance is worked out in the comments.
/// </summary>
public sealed class LiveBooksTests
{
    private static readonly DateTimeOffset T0 = TestMarket.T0;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Baseline_store_keeps_the_first_baseline_added_and_replaces_it_only_under_its_version()
    {
        var store = new InMemoryAccountBaselineStore();
        Assert.Null(await store.GetAsync(CancellationToken.None));

        // Twenty processes record at once, each its own reading: one wins, and every one of them is handed the winner.
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            store.AddIfAbsentAsync(new AccountBaseline(T0.AddSeconds(i), T0.AddSeconds(i), Usdt(1_000m + i)), CancellationToken.None))));

        var stored = (await store.GetAsync(CancellationToken.None))!;
        Assert.All(results, r => Assert.Same(stored, r));
        Assert.NotEqual(string.Empty, stored.Version);
        var later = await store.AddIfAbsentAsync(new AccountBaseline(T0.AddDays(1), T0.AddDays(1), Usdt(5m)), CancellationToken.None);
        Assert.Same(stored, later);

        var moved = stored with { PositionsSince = T0.AddDays(2) };
        Assert.True(await store.ReplaceAsync(stored, moved, CancellationToken.None));
        Assert.False(await store.ReplaceAsync(stored, stored with { PositionsSince = T0.AddDays(3) }, CancellationToken.None));
        Assert.Equal(T0.AddDays(2), (await store.GetAsync(CancellationToken.None))!.PositionsSince);

        // Deleted by hand: the next one recorded is stored.
        store.Delete();
        Assert.Equal(5m, (await store.AddIfAbsentAsync(new AccountBaseline(T0.AddDays(4), T0.AddDays(4), Usdt(5m)), CancellationToken.None)).Balances["USDT"]);
    }

    [Fact]
    public void A_baseline_recorded_while_a_position_is_open_counts_it_and_takes_its_entry_out_of_the_account()
    {
        var (done, open) = (BtcRoundTrip(T0.AddMinutes(1)), EthLong(T0.AddMinutes(2)));

        // Account before either: 1,000 USDT, 0.5 ETH, 2 BNB.
        // BTC round trip: −50 + 50.949 − 0.050949 = +0.898051 USDT. ETH entry: −200 USDT, +0.0999 ETH (0.1 less 0.0001 fee).
        // Account now: USDT 1,000 + 0.898051 − 200 = 800.898051; ETH 0.5999; BNB 2.
        var account = Account(("USDT", 800.898051m), ("ETH", 0.5999m), ("BNB", 2m));
        var baseline = AccountBaseline.Record(account, [done, open], T0.AddMinutes(5));

        // Counted from the ETH entry (the oldest still open); the BTC trade opened before it stays in the account as read.
        Assert.Equal(T0.AddMinutes(2), baseline.PositionsSince);
        Assert.Equal(T0.AddMinutes(5), baseline.RecordedAt);
        Assert.Equal(1_000.898051m, baseline.Balances["USDT"]); // 800.898051 + 200
        Assert.Equal(0.5m, baseline.Balances["ETH"]);            // 0.5999 − 0.0999
        Assert.Equal(2m, baseline.Balances["BNB"]);
    }

    [Fact]
    public async Task Books_agree_through_the_app_s_trades_then_a_manual_trade_in_a_traded_currency_is_exactly_its_difference()
    {
        var time = new FakeTimeProvider(T0.AddMinutes(5));
        var positions = new InMemoryPositionStore();
        await positions.CloseAsync(BtcRoundTrip(T0.AddMinutes(1)), CancellationToken.None);
        var eth = EthLong(T0.AddMinutes(2));
        await positions.SaveOpenAsync(eth, CancellationToken.None);
        var account = new AccountDouble(Account(("USDT", 800.898051m), ("ETH", 0.5999m), ("BNB", 2m)));
        using var books = Books(account, positions, new InMemoryAccountBaselineStore(), time, "ETH/USDT");

        Assert.Null((await books.CurrentAsync(CancellationToken.None)).Agrees); // no baseline before the first scan
        time.Advance(Interval);
        var first = await books.AfterScanAsync(CancellationToken.None);

        Assert.True(first.Agrees);
        Assert.Equal(T0.AddMinutes(2), first.PositionsSince);
        Assert.Equal(["ETH", "USDT"], first.Currencies.Select(c => c.Currency)); // not BNB, not BTC (its trade is in the baseline)

        // The ETH long closes: SELL 0.0999 at 2,100 = 209.79 USDT, fee 0.20979 USDT.
        // USDT: 800.898051 + 209.79 − 0.20979 = 1,010.478261. ETH: 0.5999 − 0.0999 = 0.5.
        await positions.CloseAsync(eth with { ExitPrice = 2_100m, ExitFee = 0.20979m, ExitFees = [new FeeCharge("USDT", 0.20979m)], ClosedAt = T0.AddMinutes(7), ExitReason = ExitReason.TakeProfit, ExitOrderId = "sell-eth" }, CancellationToken.None);
        account.Set(Account(("USDT", 1_010.478261m), ("ETH", 0.5m), ("BNB", 2m)));

        // Within the interval the last check stands: the account is not read again.
        var reads = account.Reads;
        Assert.Same(first, await books.CurrentAsync(CancellationToken.None));
        Assert.Equal(reads, account.Reads);

        time.Advance(Interval);
        var closed = await books.CurrentAsync(CancellationToken.None);
        Assert.True(closed.Agrees);
        AssertLine(closed, "USDT", expected: 1_010.478261m, actual: 1_010.478261m, difference: 0m);
        AssertLine(closed, "ETH", expected: 0.5m, actual: 0.5m, difference: 0m);

        // By hand, the user sells 0.2 ETH at 2,050 (410 USDT, fee 0.41 USDT) and is given 1 BNB.
        // USDT: 1,010.478261 + 410 − 0.41 = 1,420.068261 (+409.59). ETH: 0.5 − 0.2 = 0.3 (−0.2). BNB is not the app's business.
        account.Set(Account(("USDT", 1_420.068261m), ("ETH", 0.3m), ("BNB", 3m)));
        time.Advance(Interval);
        var manual = await books.CurrentAsync(CancellationToken.None);

        Assert.False(manual.Agrees);
        AssertLine(manual, "USDT", expected: 1_010.478261m, actual: 1_420.068261m, difference: 409.59m);
        AssertLine(manual, "ETH", expected: 0.5m, actual: 0.3m, difference: -0.2m);
        Assert.DoesNotContain(manual.Currencies, c => c.Currency == "BNB");
    }

    [Fact]
    public async Task A_failed_read_is_an_unknown_check_with_the_reason_and_nothing_is_thrown()
    {
        var time = new FakeTimeProvider(T0);
        var exchange = new Mock<IExchange>();
        exchange.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, "venue in maintenance"));
        using var books = new LiveBooks(exchange.Object, new InMemoryPositionStore(), new InMemoryAccountBaselineStore(), Options.Create(new ScalpingOptions { Symbols = ["BTC/USDT"] }), time, NullLogger<LiveBooks>.Instance, Interval);

        var status = await books.AfterScanAsync(CancellationToken.None);

        Assert.Null(status.Agrees);
        Assert.Contains("venue in maintenance", status.Reason, StringComparison.Ordinal);
        Assert.Null(status.BaselineAt);
    }

    [Fact]
    public async Task The_baseline_rolls_forward_after_two_days_and_a_difference_stays_a_difference()
    {
        var time = new FakeTimeProvider(T0);
        var positions = new InMemoryPositionStore();
        var store = new InMemoryAccountBaselineStore();
        var account = new AccountDouble(Account(("USDT", 1_000m)));
        using var books = Books(account, positions, store, time, "BTC/USDT");
        Assert.True((await books.AfterScanAsync(CancellationToken.None)).Agrees);

        // An hour later a BTC round trip (+0.898051 USDT, BTC back to 0), and the user deposits 5 USDT.
        await positions.CloseAsync(BtcRoundTrip(T0.AddHours(1)), CancellationToken.None);
        account.Set(Account(("USDT", 1_005.898051m), ("BTC", 0m)));

        // Two days and an hour after the baseline: the check reads three days of trades, then rolls to a day ago.
        time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(1));
        var before = await books.CurrentAsync(CancellationToken.None);
        AssertLine(before, "USDT", expected: 1_000.898051m, actual: 1_005.898051m, difference: 5m);
        var rolled = (await store.GetAsync(CancellationToken.None))!;
        Assert.Equal(time.GetUtcNow() - TimeSpan.FromDays(1), rolled.PositionsSince);
        Assert.Equal(T0, rolled.RecordedAt);
        Assert.Equal(1_000.898051m, rolled.Balances["USDT"]); // 1,000 + the round trip, as the books had it (not the deposit)
        Assert.Equal(0m, rolled.Balances["BTC"]);

        time.Advance(Interval);
        var after = await books.CurrentAsync(CancellationToken.None);
        Assert.False(after.Agrees);
        Assert.Equal(rolled.PositionsSince, after.PositionsSince);
        AssertLine(after, "USDT", expected: 1_000.898051m, actual: 1_005.898051m, difference: 5m);
        AssertLine(after, "BTC", expected: 0m, actual: 0m, difference: 0m);
    }

    private static LiveBooks Books(AccountDouble account, InMemoryPositionStore positions, InMemoryAccountBaselineStore store, TimeProvider time, string symbol) =>
        new(account.Exchange, positions, store, Options.Create(new ScalpingOptions { Symbols = [symbol] }), time, NullLogger<LiveBooks>.Instance, Interval);

    /// <summary>BUY 0.01 BTC at 5,000 (50 USDT), fee 0.00001 BTC: holds 0.00999. SELL 0.00999 at 5,100 = 50.949 USDT, fee 0.050949 USDT.</summary>
    private static Position BtcRoundTrip(DateTimeOffset openedAt) =>
        new Position("pos-btc", "BTC/USDT", PositionSide.Long, 0.00999m, 5_000m, 0.05m, 4_900m, 5_100m, openedAt, "buy-btc", "d-btc", openedAt)
        {
            EntryFees = [new FeeCharge("BTC", 0.00001m)],
            ExitPrice = 5_100m,
            ExitFee = 0.050949m,
            ExitFees = [new FeeCharge("USDT", 0.050949m)],
            ClosedAt = openedAt.AddMinutes(2),
            ExitReason = ExitReason.TakeProfit,
            ExitOrderId = "sell-btc",
        };

    /// <summary>BUY 0.1 ETH at 2,000 (200 USDT), fee 0.0001 ETH: holds 0.0999; still open.</summary>
    private static Position EthLong(DateTimeOffset openedAt) =>
        new("pos-eth", "ETH/USDT", PositionSide.Long, 0.0999m, 2_000m, 0.2m, 1_900m, 2_100m, openedAt, "buy-eth", "d-eth", openedAt, EntryFees: [new FeeCharge("ETH", 0.0001m)]);

    private static Dictionary<string, decimal> Usdt(decimal amount) => new(StringComparer.Ordinal) { ["USDT"] = amount };

    private static Balances Account(params (string Currency, decimal Total)[] balances) =>
        new(balances.ToDictionary(b => b.Currency, b => new Balance(b.Total, 0m), StringComparer.Ordinal));

    private static void AssertLine(BooksStatus status, string currency, decimal expected, decimal actual, decimal difference)
    {
        var line = status.Currencies.Single(c => c.Currency == currency);
        Assert.Equal(expected, line.Expected);
        Assert.Equal(actual, line.Actual);
        Assert.Equal(difference, line.Difference);
    }

    /// <summary>An exchange whose balances the test sets, counting how often they are read.</summary>
    private sealed class AccountDouble
    {
        private readonly Mock<IExchange> _exchange = new();
        private Balances _balances;

        public AccountDouble(Balances balances)
        {
            _balances = balances;
            _exchange.Setup(e => e.FetchBalanceAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
            {
                Reads++;
                return _balances;
            });
        }

        public IExchange Exchange => _exchange.Object;

        public int Reads { get; private set; }

        public void Set(Balances balances) => _balances = balances;
    }
}
