using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Tests;

/// <summary>
/// The books against the account, with every expected balance worked out by hand in the comments: a long whose entry fee
/// the venue took in BTC, an old row with quote fees, a partial exit with the remainder open, a dust remainder, fees in
/// BNB, a short, and books that must disagree.
/// </summary>
public sealed class BookReconciliationTests
{
    private static readonly DateTimeOffset T0 = TestMarket.T0;

    [Fact]
    public void Long_with_the_entry_fee_in_base_agrees_with_the_account_after_the_round_trip()
    {
        // BUY 0.00118 BTC at 50,000; the venue keeps 0.00000118 BTC: the account holds 0.00118 − 0.00000118 = 0.00117882.
        // Entry fee value: 0.00000118 × 50,000 = 0.059 USDT.
        // SELL 0.00117882 at 51,000 = 60.11982 USDT; fee 0.1% of that = 0.06011982 USDT.
        var closed = BaseFeeRoundTrip();

        // USDT: 1000 − 0.00118 × 50,000 (= 59) + 60.11982 − 0.06011982 = 1001.05970018.
        // BTC:  0 + 0.00117882 − 0.00117882 = 0.
        var account = Account(("USDT", 1001.05970018m, 0m), ("BTC", 0m, 0m));
        var result = BookReconciliation.Check(Start(("USDT", 1000m)), [closed], account, Marks("USDT", ("BTC", 52_000m)));

        Assert.True(result.Agrees);
        Assert.Equal(2, result.Fills);
        Assert.Equal(["BTC", "USDT"], result.Currencies.Select(c => c.Currency));
        AssertLine(result, "USDT", expected: 1001.05970018m, actual: 1001.05970018m);
        AssertLine(result, "BTC", expected: 0m, actual: 0m);

        // Realized: (51,000 − 50,000) × 0.00117882 − 0.059 − 0.06011982 = 1.17882 − 0.11911982 = 1.05970018.
        // Expected equity 1000 + 1.05970018 = 1001.05970018, the account's USDT (it holds no BTC).
        var equity = result.Equity!;
        Assert.Equal(1000m, equity.StartEquity);
        Assert.Equal(1.05970018m, equity.RealizedPnl);
        Assert.Equal(0m, equity.FeeRevaluation);
        Assert.Equal(1001.05970018m, equity.ExpectedEquity);
        Assert.Equal(1001.05970018m, equity.AccountEquity);
        Assert.True(equity.Agrees);
    }

    [Fact]
    public void Long_of_an_old_row_with_quote_fees_agrees()
    {
        // An old row: no charge lists, its fees were in USDT. BUY 0.5 ETH at 2,000 = 1,000, fee 1; SELL at 2,100 = 1,050, fee 1.05.
        var position = Position("pos-a", "ETH/USDT", PositionSide.Long, 0.5m, 2_000m, 1m, "buy-a")
            with { ExitPrice = 2_100m, ExitFee = 1.05m, ClosedAt = T0.AddMinutes(5), ExitReason = ExitReason.TakeProfit, ExitOrderId = "sell-a" };

        // USDT: 2000 − 1000 − 1 + 1050 − 1.05 = 2047.95. ETH: 0.5 − 0.5 = 0.
        var result = BookReconciliation.Check(Start(("USDT", 2_000m)), [position], Account(("USDT", 2_047.95m, 0m), ("ETH", 0m, 0m)), Marks("USDT", ("ETH", 2_050m)));

        Assert.True(result.Agrees);
        AssertLine(result, "USDT", expected: 2_047.95m, actual: 2_047.95m);
        AssertLine(result, "ETH", expected: 0m, actual: 0m);

        // Realized: 100 × 0.5 − 1 − 1.05 = 47.95; 2000 + 47.95 = 2047.95.
        Assert.Equal(47.95m, result.Equity!.RealizedPnl);
        Assert.Equal(2_047.95m, result.Equity.ExpectedEquity);
        Assert.True(result.Equity.Agrees);
    }

    [Fact]
    public void Partial_exit_with_the_remainder_still_open_agrees_on_balances_held_free_or_used()
    {
        // BUY 0.002 BTC at 40,000 (80 USDT); the venue keeps 0.000002 BTC: Amount 0.001998, entry fee value 0.08 USDT.
        var entry = Position("pos-p", "BTC/USDT", PositionSide.Long, 0.001998m, 40_000m, 0.08m, "buy-p") with { EntryFees = [new FeeCharge("BTC", 0.000002m)] };

        // The exit SELL fills 0.000999 of 0.001998 (half) at 41,000 = 40.959 USDT, fee 0.1% = 0.040959 USDT.
        var exit = new Order("sell-p", "nt-x-pos-p", "BTC/USDT", OrderType.Market, OrderSide.Sell, OrderStatus.Expired, 0.001998m, 0.000999m, 41_000m, 40.959m, 0.040959m, "USDT", T0.AddMinutes(3));
        var (closed, remainder) = entry.CloseFilled(exit, ExitReason.TakeProfit, T0.AddMinutes(3));

        // Half of the entry's fees to each part: 0.04 USDT of value, 0.000001 BTC charged.
        Assert.Equal(0.000999m, closed!.Amount);
        Assert.Equal(0.04m, closed.EntryFee);
        Assert.Equal(0.000001m, FeeCharge.In(closed.EntryCharges, "BTC"));
        Assert.Equal("pos-p-r1", remainder!.Id);
        Assert.Equal(0.000999m, remainder.Amount);
        Assert.Equal(0.000001m, FeeCharge.In(remainder.EntryCharges, "BTC"));

        // Closed part: USDT −(0.000999 + 0.000001) × 40,000 = −40; BTC +0.000999; exit: BTC −0.000999, USDT +40.959 − 0.040959 = +40.918041.
        // Remainder:   USDT −(0.000999 + 0.000001) × 40,000 = −40; BTC +0.000999 (the two entry legs add up to the one 80 USDT fill).
        // USDT: 100 − 40 + 40.918041 − 40 = 60.918041. BTC: 0.000999, here all reserved by a resting sell (used).
        var account = Account(("USDT", 60.918041m, 0m), ("BTC", 0m, 0.000999m));
        var result = BookReconciliation.Check(Start(("USDT", 100m)), [closed, remainder], account, Marks("USDT", ("BTC", 42_000m)));

        Assert.True(result.Agrees);
        Assert.Equal(2, result.Fills);
        AssertLine(result, "USDT", expected: 60.918041m, actual: 60.918041m);
        AssertLine(result, "BTC", expected: 0.000999m, actual: 0.000999m);

        // Account: 60.918041 + 0.000999 × 42,000 (= 41.958) = 102.876041.
        // Realized (closed part): 1,000 × 0.000999 − 0.04 − 0.040959 = 0.999 − 0.080959 = 0.918041.
        // Unrealized (remainder at 42,000): 2,000 × 0.000999 − 0.04 = 1.998 − 0.04 = 1.958.
        // Expected: 100 + 0.918041 + 1.958 = 102.876041.
        var equity = result.Equity!;
        Assert.Equal(102.876041m, equity.AccountEquity);
        Assert.Equal(0.918041m, equity.RealizedPnl);
        Assert.Equal(1.958m, equity.UnrealizedPnl);
        Assert.Equal(102.876041m, equity.ExpectedEquity);
        Assert.True(equity.Agrees);
    }

    [Fact]
    public void Dust_part_has_no_exit_leg_and_is_revalued_at_the_mark()
    {
        // BUY 0.001001 BTC at 30,000 (30.03 USDT); the venue keeps 0.000001 BTC: Amount 0.001, entry fee value 0.03 USDT.
        var entry = Position("pos-d", "BTC/USDT", PositionSide.Long, 0.001m, 30_000m, 0.03m, "buy-d") with { EntryFees = [new FeeCharge("BTC", 0.000001m)] };

        // SELL fills 0.00099 at 31,000 = 30.69 USDT, fee 0.03069 USDT. The 0.00001 BTC left is dust, closed in the books at 31,500.
        var exit = new Order("sell-d", "nt-x-pos-d", "BTC/USDT", OrderType.Market, OrderSide.Sell, OrderStatus.Expired, 0.001m, 0.00099m, 31_000m, 30.69m, 0.03069m, "USDT", T0.AddMinutes(3));
        var (sold, rest) = entry.CloseFilled(exit, ExitReason.TakeProfit, T0.AddMinutes(3));
        var (dust, none) = rest!.CloseInBooks(rest.Amount, 31_500m, ExitReason.Dust, T0.AddMinutes(3));
        Assert.Null(none);

        // Shares 0.99 and 0.01 of the entry: fee values 0.0297 and 0.0003 USDT, charges 0.00000099 and 0.00000001 BTC.
        Assert.Equal(0.0297m, sold!.EntryFee);
        Assert.Equal(0.0003m, dust.EntryFee);
        Assert.Equal(0.00000001m, FeeCharge.In(dust.EntryCharges, "BTC"));

        // Sold part: USDT −(0.00099 + 0.00000099) × 30,000 = −29.7297; BTC +0.00099 − 0.00099; USDT +30.69 − 0.03069.
        // Dust part: USDT −(0.00001 + 0.00000001) × 30,000 = −0.3003; BTC +0.00001; no exit leg (the coins stay).
        // USDT: 50 − 29.7297 − 0.3003 + 30.69 − 0.03069 = 50.62931. BTC: 0.00001.
        var account = Account(("USDT", 50.62931m, 0m), ("BTC", 0.00001m, 0m));
        var result = BookReconciliation.Check(Start(("USDT", 50m)), [sold, dust], account, Marks("USDT", ("BTC", 32_000m)));

        Assert.True(result.Agrees);
        Assert.Equal(2, result.Fills);
        AssertLine(result, "USDT", expected: 50.62931m, actual: 50.62931m);
        AssertLine(result, "BTC", expected: 0.00001m, actual: 0.00001m);

        // Account: 50.62931 + 0.00001 × 32,000 (= 0.32) = 50.94931.
        // Realized: sold 1,000 × 0.00099 − 0.0297 − 0.03069 = 0.92961; dust 1,500 × 0.00001 − 0.0003 = 0.0147; sum 0.94431.
        // Dust revaluation: 0.00001 × (32,000 − 31,500) = 0.005. Expected: 50 + 0.94431 + 0.005 = 50.94931.
        var equity = result.Equity!;
        Assert.Equal(50.94931m, equity.AccountEquity);
        Assert.Equal(0.94431m, equity.RealizedPnl);
        Assert.Equal(0.005m, equity.DustRevaluation);
        Assert.Equal(50.94931m, equity.ExpectedEquity);
        Assert.True(equity.Agrees);
    }

    [Fact]
    public void Fees_paid_in_bnb_come_out_of_bnb_and_are_revalued_at_its_mark()
    {
        // BUY 0.01 BTC at 20,000 = 200 USDT, fee 0.00075 BNB (0.15 USDT when BNB was 200).
        // SELL 0.01 at 21,000 = 210 USDT, fee 0.0007875 BNB (0.1575 USDT when BNB was 200).
        var position = Position("pos-b", "BTC/USDT", PositionSide.Long, 0.01m, 20_000m, 0.15m, "buy-b") with
        {
            EntryFees = [new FeeCharge("BNB", 0.00075m)],
            ExitPrice = 21_000m,
            ExitFee = 0.1575m,
            ExitFees = [new FeeCharge("BNB", 0.0007875m)],
            ClosedAt = T0.AddMinutes(5),
            ExitReason = ExitReason.TakeProfit,
            ExitOrderId = "sell-b",
        };

        // USDT: 500 − 200 + 210 = 510. BTC: 0. BNB: 1 − 0.00075 − 0.0007875 = 0.9984625.
        var account = Account(("USDT", 510m, 0m), ("BTC", 0m, 0m), ("BNB", 0.9984625m, 0m));
        var result = BookReconciliation.Check(Start(("USDT", 500m), ("BNB", 1m)), [position], account, Marks("USDT", ("BTC", 21_500m), ("BNB", 250m)));

        Assert.True(result.Agrees);
        AssertLine(result, "USDT", expected: 510m, actual: 510m);
        AssertLine(result, "BNB", expected: 0.9984625m, actual: 0.9984625m);

        // Account at BNB 250: 510 + 0.9984625 × 250 (= 249.615625) = 759.615625. Start: 500 + 1 × 250 = 750.
        // Realized: 1,000 × 0.01 − 0.15 − 0.1575 = 9.6925.
        // BNB fees booked 0.15 + 0.1575 = 0.3075, worth (0.00075 + 0.0007875) × 250 = 0.384375 now: revaluation −0.076875.
        // Expected: 750 + 9.6925 − 0.076875 = 759.615625.
        var equity = result.Equity!;
        Assert.Equal(750m, equity.StartEquity);
        Assert.Equal(-0.076875m, equity.FeeRevaluation);
        Assert.Equal(759.615625m, equity.AccountEquity);
        Assert.Equal(759.615625m, equity.ExpectedEquity);
        Assert.True(equity.Agrees);
    }

    [Fact]
    public void Short_buys_back_its_amount_plus_the_base_fee()
    {
        // SELL 0.01 BTC at 20,000 = 200 USDT, fee 0.2 USDT. BUY back 0.01001 at 19,000 = 190.19 USDT; the venue keeps
        // 0.00001 BTC (0.19 USDT at 19,000), so 0.01 BTC comes back.
        var position = Position("pos-s", "BTC/USDT", PositionSide.Short, 0.01m, 20_000m, 0.2m, "sell-s") with
        {
            EntryFees = [new FeeCharge("USDT", 0.2m)],
            ExitPrice = 19_000m,
            ExitFee = 0.19m,
            ExitFees = [new FeeCharge("BTC", 0.00001m)],
            ClosedAt = T0.AddMinutes(5),
            ExitReason = ExitReason.TakeProfit,
            ExitOrderId = "buy-s",
        };

        // USDT: 0 + 200 − 0.2 − 190.19 = 9.61. BTC: 0.01 − 0.01 + 0.01 = 0.01.
        var account = Account(("USDT", 9.61m, 0m), ("BTC", 0.01m, 0m));
        var result = BookReconciliation.Check(Start(("BTC", 0.01m)), [position], account, Marks("USDT", ("BTC", 19_500m)));

        Assert.True(result.Agrees);
        AssertLine(result, "USDT", expected: 9.61m, actual: 9.61m);
        AssertLine(result, "BTC", expected: 0.01m, actual: 0.01m);

        // Start 0.01 × 19,500 = 195; realized 1,000 × 0.01 − 0.2 − 0.19 = 9.61; account 9.61 + 195 = 204.61.
        Assert.Equal(195m, result.Equity!.StartEquity);
        Assert.Equal(9.61m, result.Equity.RealizedPnl);
        Assert.Equal(204.61m, result.Equity.ExpectedEquity);
        Assert.True(result.Equity.Agrees);
    }

    [Fact]
    public void Books_that_took_the_gross_fill_disagree_with_an_account_that_paid_the_fee_in_base()
    {
        // The venue filled 0.00118 BTC at 50,000 and kept 0.00000118 BTC: the account holds 1000 − 59 = 941 USDT, 0.00117882 BTC.
        var account = Account(("USDT", 941m, 0m), ("BTC", 0.00117882m, 0m));

        // Books that stored the gross fill, and the fee's value as if paid in USDT (the old desk's reading of a BUY):
        // USDT 1000 − 59 − 0.059 = 940.941; BTC 0.00118.
        var wrong = Position("pos-w", "BTC/USDT", PositionSide.Long, 0.00118m, 50_000m, 0.059m, "buy-w");
        var result = BookReconciliation.Check(Start(("USDT", 1000m)), [wrong], account, Marks("USDT", ("BTC", 50_000m)));

        Assert.False(result.Agrees);
        Assert.Equal(["BTC", "USDT"], result.Disagreements.Select(c => c.Currency));
        AssertLine(result, "BTC", expected: 0.00118m, actual: 0.00117882m, agrees: false);
        Assert.Equal(-0.00000118m, result.Currencies.Single(c => c.Currency == "BTC").Difference);
        AssertLine(result, "USDT", expected: 940.941m, actual: 941m, agrees: false);

        // The right books (Amount net, the charge in BTC) agree with the same account.
        var right = wrong with { Amount = 0.00117882m, EntryFees = [new FeeCharge("BTC", 0.00000118m)] };
        Assert.True(BookReconciliation.Check(Start(("USDT", 1000m)), [right], account).Agrees);
    }

    [Fact]
    public void A_difference_within_the_tolerance_of_its_fills_agrees_and_one_beyond_does_not()
    {
        // One round trip is two fills: tolerance 2 × 0.00000001 = 0.00000002. The books say 1001.05970018 USDT (first test).
        var closed = BaseFeeRoundTrip();
        var start = Start(("USDT", 1000m));

        var within = BookReconciliation.Check(start, [closed], Account(("USDT", 1001.05970020m, 0m), ("BTC", 0m, 0m)));
        var beyond = BookReconciliation.Check(start, [closed], Account(("USDT", 1001.05970021m, 0m), ("BTC", 0m, 0m)));

        Assert.Equal(0.00000002m, within.Currencies.Single(c => c.Currency == "USDT").Tolerance);
        Assert.True(within.Agrees);
        Assert.False(beyond.Agrees);
        Assert.Null(beyond.Equity);
    }

    [Fact]
    public void Equity_disagrees_when_the_account_holds_coins_the_books_do_not_explain()
    {
        // Balances off by 0.001 ETH (worth 2 USDT at 2,000): both checks fail; the books are 2000 USDT, nothing traded.
        var result = BookReconciliation.Check(Start(("USDT", 2_000m)), [], Account(("USDT", 2_000m, 0m), ("ETH", 0.001m, 0m)), Marks("USDT", ("ETH", 2_000m)));

        Assert.False(result.Agrees);
        Assert.Equal(2_002m, result.Equity!.AccountEquity);
        Assert.Equal(2_000m, result.Equity.ExpectedEquity);
        Assert.False(result.Equity.Agrees);
    }

    /// <summary>The first test's round trip: BUY 0.00118 BTC at 50,000 with 0.00000118 BTC kept; SELL 0.00117882 at 51,000, 0.06011982 USDT fee.</summary>
    private static Position BaseFeeRoundTrip() =>
        Position("pos-1", "BTC/USDT", PositionSide.Long, 0.00117882m, 50_000m, 0.059m, "buy-1") with
        {
            EntryFees = [new FeeCharge("BTC", 0.00000118m)],
            ExitPrice = 51_000m,
            ExitFee = 0.06011982m,
            ExitFees = [new FeeCharge("USDT", 0.06011982m)],
            ClosedAt = T0.AddMinutes(5),
            ExitReason = ExitReason.TakeProfit,
            ExitOrderId = "sell-1",
        };

    private static Position Position(string id, string symbol, PositionSide side, decimal amount, decimal entryPrice, decimal entryFee, string entryOrderId) =>
        new(id, symbol, side, amount, entryPrice, entryFee, entryPrice * 0.99m, entryPrice * 1.01m, T0, entryOrderId, id, T0);

    private static Dictionary<string, decimal> Start(params (string Currency, decimal Amount)[] balances) =>
        balances.ToDictionary(b => b.Currency, b => b.Amount, StringComparer.Ordinal);

    private static Balances Account(params (string Currency, decimal Free, decimal Used)[] balances) =>
        new(balances.ToDictionary(b => b.Currency, b => new Balance(b.Free, b.Used), StringComparer.Ordinal));

    private static EquityMarks Marks(string quote, params (string Currency, decimal Price)[] prices) =>
        new(quote, prices.ToDictionary(p => p.Currency, p => p.Price, StringComparer.Ordinal));

    private static void AssertLine(BookReconciliation result, string currency, decimal expected, decimal actual, bool agrees = true)
    {
        var line = result.Currencies.Single(c => c.Currency == currency);
        Assert.Equal(expected, line.Expected);
        Assert.Equal(actual, line.Actual);
        Assert.Equal(agrees, line.Agrees);
    }
}
