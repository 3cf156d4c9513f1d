using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Tests;

/// <summary>
/// The trade desk's books against a Binance spot account that charges fees as Binance does (the stateful stand-in, through
/// our adapter): after a round trip the balances the books explain are the balances the venue reports, with the fee in
/// BTC or in BNB. Figures worked out by hand in the comments.
/// </summary>
public sealed class DeskBooksOnBinanceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_round_trip_leaves_the_books_agreeing_with_the_binance_account(bool bnbPaysFees)
    {
        await using var account = await BinanceSpotAccount.StartAsync();
        account.SetBalance("USDT", 100m);
        if (bnbPaysFees)
        {
            account.BnbPaysFees = true;
            account.SetBalance("BNB", 1m);
            account.SetTouch("BNB/USDT", 499.9m, 500.1m);
        }

        account.SetBook("BTC/USDT", [(49_990m, 1m)], [(50_000m, 1m)]);
        await using var app = TestBinance.Create(account.Server);
        var (desk, positions) = Desk(app);
        var start = new Dictionary<string, decimal> { ["USDT"] = 100m };
        if (bnbPaysFees)
        {
            start["BNB"] = 1m;
        }

        var ticker = await app.Exchange.FetchTickerAsync("BTC/USDT", None);
        var entry = await desk.EnterAsync(Buy(app.Time.GetUtcNow()), ticker, None);
        var opened = Assert.IsType<Position>(entry.Opened);

        // 60 USDT at the 50,000 ask less the 0.5% sizing buffer: 0.00119402... BTC, floored to the 0.00001 step: 0.00119
        // (59.5 USDT). Binance keeps 0.1% of the BTC (0.00000119), unless BNB pays: 59.5 × 0.1% × 0.75 / 500 BNB.
        Assert.Equal(bnbPaysFees ? 0.00119m : 0.00118881m, opened.Amount);

        account.SetBook("BTC/USDT", [(50_500m, 1m)], [(50_510m, 1m)]);
        var closed = await desk.ExitAsync(opened, ExitReason.TakeProfit, None);
        Assert.NotNull(closed);

        var balances = await app.Exchange.FetchBalanceAsync(None);
        var books = BookReconciliation.Check(start, positions.Closed.Concat(positions.Open), balances);
        Assert.True(books.Agrees, string.Join("; ", books.Currencies.Select(c => $"{c.Currency} books {c.Expected} venue {c.Actual}")));
        if (bnbPaysFees)
        {
            // Sold all 0.00119 at 50,500 = 60.095 USDT: 100 − 59.5 + 60.095 = 100.595; nothing left in BTC.
            Assert.Equal((100.595m, 0m), (balances.Free("USDT"), balances.Free("BTC")));
        }
        else
        {
            // Sold 0.00118 (0.00118881 floored) at 50,500 = 59.59 USDT, fee 0.05959 USDT: 100 − 59.5 + 59.59 − 0.05959 = 100.03041.
            // The 0.00000881 BTC left is below the step: dust in the books, still in the account.
            Assert.Equal((100.03041m, 0.00000881m), (balances.Free("USDT"), balances.Free("BTC")));
            Assert.Equal(0.00000881m, Assert.Single(positions.Closed, p => p.ExitReason == ExitReason.Dust).Amount);
        }
    }

    private static TradingDecision Buy(DateTimeOffset at) =>
        new("d-books", "BTC/USDT", TradingStrategy.Scalping, TradeAction.Buy, OrderSide.Buy, 60m, null, 49_500m, 51_000m, 0.9m,
            "r", "m", "risk", "test", 0, at, DecisionSource.Api, 50_000m);

    private static (TradeDesk Desk, InMemoryPositionStore Positions) Desk(TestBinance app)
    {
        var options = Options.Create(new ScalpingOptions { Symbols = ["BTC/USDT"], MaxPositionSize = 100m, MinOrderNotional = 10m });
        var positions = new InMemoryPositionStore();
        var desk = new TradeDesk(
            app.Exchange, new RiskGate(options), new InMemoryDecisionStore(), positions, new InMemoryScalpingStateStore(ScalpingState.Initial(true, app.Time.GetUtcNow())),
            new InMemoryScanClaimStore(), options, app.Time, NullLogger<TradeDesk>.Instance, new InMemoryEntryAdmission(positions), new AccountValuation(app.Exchange, "USDT"));
        return (desk, positions);
    }
}
