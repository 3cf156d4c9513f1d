using System.Text.Json;
using NeuraTrade.Backtesting;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// The books at the end of a run over the bundled real candles: positions still open are listed (JSON, HTML), and the
/// engine's position store reconciles with the paper account, currency by currency and in equity, on both engines.
/// </summary>
public sealed class BooksReportTests
{
    // The whole bundled file: the rules brain trades only where a target clears the round-trip cost (243 trades here).
    private static readonly Candle[] Span = [.. Bundled.Btc];

    [Theory]
    [InlineData(BacktestEngines.Full)]
    [InlineData(BacktestEngines.Fast)]
    public async Task A_bundled_run_reconciles_with_the_paper_account(string engine)
    {
        var report = await Bundled.RunRulesAsync(engine, Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span)), new ScalpingOptions());
        var books = report.Reconciliation;

        Assert.True(report.Metrics.Trades > 50);
        Assert.True(books.Agrees, Describe(books));
        Assert.Equal(["BTC", "USDT"], books.Currencies.Select(c => c.Currency));

        // Every entry and every exit is its own order here: two fills a round trip, one more per position still open.
        Assert.Equal((2 * report.Trades.Count) + report.OpenPositions.Count, books.Fills);

        // The equity check values the account as the last equity point did.
        Assert.Equal(report.Metrics.FinalEquity, Math.Round(books.Equity!.AccountEquity, 8));
        Assert.True(books.Equity.Agrees, Describe(books));
    }

    [Fact]
    public async Task Several_markets_in_a_btc_quoted_account_reconcile()
    {
        var markets = new[] { "ETH_BTC-5m.csv", "LTC_BTC-5m.csv", "XMR_BTC-5m.csv" }.Select(Bundled.Market).ToArray();
        var settings = new BacktestSettings(markets, TimeSpan.FromMinutes(5), 100m, "BTC", 0.1m, 0.02m);
        var scalping = new ScalpingOptions { MinOrderNotional = 0.001m, MaxPositionSize = 1m, MaxDailyLoss = 0.5m, MaxDrawdown = 0.75m };
        var exchange = new NeuraTrade.Exchanges.Paper.PaperExchangeOptions { StartingBalance = 100m, QuoteCurrency = "BTC", MinNotional = 0.0001m };

        var report = await Bundled.RunRulesAsync(BacktestEngines.Fast, settings, scalping, exchange: exchange);

        Assert.True(report.Metrics.Trades > 0);
        Assert.True(report.Reconciliation.Agrees, Describe(report.Reconciliation));
        Assert.Equal(["BTC", "ETH", "LTC", "XMR"], report.Reconciliation.Currencies.Select(c => c.Currency));
    }

    [Fact]
    public async Task A_run_that_ends_with_a_position_open_lists_it()
    {
        // Where the whole run holds a position at a step's end, a run cut there ends with it open (decisions are causal).
        var whole = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span)));
        var last = Enumerable.Range(0, whole.Equity.Count).First(i => whole.Equity[i].Exposed && i > 100);
        var cut = Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span)) with { To = Span[last].OpenTime };

        var report = await Bundled.RunAsync(cut);

        Assert.True(report.Equity[^1].Exposed);
        var open = Assert.Single(report.OpenPositions);
        Assert.Equal("BTC/USDT", open.Symbol);
        Assert.Equal("long", open.Side);
        Assert.Matches("^D[0-9]{6}$", open.Id);
        Assert.True(open.Amount > 0m);
        Assert.True(open.OpenedAt <= Span[last].OpenTime + TimeSpan.FromMinutes(5));

        // Marked at the last candle's close, as the final equity is.
        Assert.Equal(Span[last].Close, open.MarkPrice);

        // Equity = start + every closed trade's PnL + the open position's unrealized PnL (entry fee in, no exit fee yet).
        var explained = report.Metrics.StartingBalance + report.Trades.Sum(t => t.Pnl) + open.UnrealizedPnl;
        Assert.True(Math.Abs(report.Metrics.FinalEquity - explained) <= 0.00000001m * (report.Metrics.Trades + 1), $"equity {report.Metrics.FinalEquity}, explained {explained}");
        Assert.True(report.Reconciliation.Agrees, Describe(report.Reconciliation));
        Assert.Equal(open.UnrealizedPnl, report.Reconciliation.Equity!.UnrealizedPnl);

        using var json = JsonDocument.Parse(BacktestJson.Serialize(report));
        var listed = Assert.Single(json.RootElement.GetProperty("open_positions").EnumerateArray());
        Assert.Equal(open.Id, listed.GetProperty("id").GetString());
        Assert.Equal(open.MarkPrice, listed.GetProperty("mark_price").GetDecimal());
        Assert.Equal(open.UnrealizedPnl, listed.GetProperty("unrealized_pnl").GetDecimal());
        foreach (var key in new[] { "symbol", "side", "opened_at", "amount", "entry_price" })
        {
            Assert.True(listed.TryGetProperty(key, out _), $"open_positions[0] has no {key}");
        }

        Assert.Equal(0, json.RootElement.GetProperty("dust").GetArrayLength());
        var reconciliation = json.RootElement.GetProperty("reconciliation");
        Assert.True(reconciliation.GetProperty("agrees").GetBoolean());
        Assert.Equal(2, reconciliation.GetProperty("currencies").GetArrayLength());

        var html = BacktestHtml.Render(report);
        Assert.Contains("Positions open at the end (1)", html, StringComparison.Ordinal);
        Assert.Contains($"<td>{open.Id}</td>", html, StringComparison.Ordinal);
        Assert.Contains("Books against the paper account: agree", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flat_run_lists_no_open_position()
    {
        var report = await Bundled.RunAsync(Bundled.Settings(new BacktestMarket("BTC/USDT", "5m", Span)));

        Assert.False(report.Equity[^1].Exposed);
        Assert.Empty(report.OpenPositions);
        Assert.Contains("Positions open at the end (0)", BacktestHtml.Render(report), StringComparison.Ordinal);
    }

    private static string Describe(BacktestReconciliation books) =>
        string.Join("; ", books.Currencies.Select(c => $"{c.Currency} books {c.Expected} account {c.Actual} diff {c.Difference}"))
        + (books.Equity is { } e ? $"; equity books {e.ExpectedEquity} account {e.AccountEquity} diff {e.Difference}" : string.Empty);
}
