using System.Globalization;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Diagnostics;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>
/// Reads the venues' books and balances for a scan, and carries out an arbitrage: buy on one venue, then sell what was
/// bought on the other, each leg a market order with a client order id derived from the decision (a retried decision sends
/// the same ids, so the venues place each leg once). A sell leg that fails or fills in part is unwound by rule: what it
/// did not sell is sold back on the buy venue at once, and the outcome records it; if even that fails, the outcome says the
/// base is still held (<see cref="ArbitrageStatus.Naked"/>), never silently.
/// <para>
/// Before any order: the arbitrage's own switch (<see cref="ArbitrageOptions.Enabled"/>), its own cap
/// (<see cref="ArbitrageOptions.MaxNotional"/>, whoever built the opportunity), then <paramref name="accountGate"/>, the
/// account-wide question (daily loss, kill switch) the host answers from the same state the scalper's risk gate reads: a
/// reason there refuses the arbitrage. An arbitrage takes no scalping position slot.
/// </para>
/// </summary>
public sealed class ArbitrageDesk(
    IReadOnlyList<ArbitrageVenue> venues,
    ArbitrageOptions options,
    ILogger<ArbitrageDesk> logger,
    Func<CancellationToken, Task<string?>>? accountGate = null)
{
    public IReadOnlyList<ArbitrageVenue> Venues => venues;

    /// <summary>The settings the desk's scans are judged by (the arbitrage tools report them beside the numbers).</summary>
    public ArbitrageOptions Options => options;

    public static string BuyClientOrderId(string decisionId) => ClientOrderIds.Entry("ab-" + decisionId);

    public static string SellClientOrderId(string decisionId) => ClientOrderIds.Entry("as-" + decisionId);

    public static string UnwindClientOrderId(string decisionId) => ClientOrderIds.Entry("au-" + decisionId);

    /// <summary>Each venue's fresh book and free balances, then every pair judged (<see cref="OpportunityFinder"/>).</summary>
    public async Task<(ArbitrageScan Scan, IReadOnlyList<VenueBook> Books)> ScanAsync(CancellationToken cancellationToken)
    {
        var books = await Task.WhenAll(venues.Select(async v =>
        {
            var book = await v.Exchange.FetchOrderBookAsync(v.Symbol, null, cancellationToken);
            var balances = await v.Exchange.FetchBalanceAsync(cancellationToken);
            return new VenueBook(v.Name, book, v.TakerFeePercent, v.SlippagePercent, v.QuoteRate, balances.Free(MarketSymbol.Base(v.Symbol)), balances.Free(MarketSymbol.Quote(v.Symbol)));
        }));
        return (OpportunityFinder.Scan(books, options), books);
    }

    /// <summary>Carries out <paramref name="opportunity"/> for decision <paramref name="decisionId"/>.</summary>
    public async Task<ArbitrageOutcome> ExecuteAsync(string decisionId, ArbitrageOpportunity opportunity, CancellationToken cancellationToken)
    {
        if (!opportunity.Tradable)
        {
            throw new InvalidOperationException($"not a tradable opportunity: {opportunity.Refusal}");
        }

        var buy = Venue(opportunity.BuyVenue);
        var sell = Venue(opportunity.SellVenue);
        var buyId = BuyClientOrderId(decisionId);
        var sellId = SellClientOrderId(decisionId);
        ArbitrageOutcome Outcome(ArbitrageStatus status, Order? bought, Order? sold, Order? unwound, string note)
        {
            var boughtAmount = bought?.Filled ?? 0m;
            var soldAmount = sold?.Filled ?? 0m;
            var buyFee = Fee(bought, buy);
            var sellFee = Fee(sold, sell);
            var unwindFee = Fee(unwound, buy);
            var spent = ((bought?.Cost ?? 0m) + buyFee) * buy.QuoteRate;
            var received = (((sold?.Cost ?? 0m) - sellFee) * sell.QuoteRate) + (((unwound?.Cost ?? 0m) - unwindFee) * buy.QuoteRate);
            var profit = boughtAmount > 0m && status != ArbitrageStatus.Naked ? received - spent : 0m;
            var captured = bought is { Cost: > 0m } ? Math.Round(profit / (bought.Cost * buy.QuoteRate) * 100m, 6, MidpointRounding.ToZero) : 0m;
            return new ArbitrageOutcome(
                decisionId, status, buy.Name, sell.Name, buyId, sellId, boughtAmount, bought?.Average ?? 0m, soldAmount, sold?.Average ?? 0m,
                unwound?.Filled ?? 0m, unwound?.Average ?? 0m, buyFee * buy.QuoteRate, sellFee * sell.QuoteRate, unwindFee * buy.QuoteRate,
                Slippage(bought?.Average, opportunity.BestAsk, buying: true), Slippage(sold?.Average, opportunity.BestBid, buying: false),
                opportunity.NetEdgePercent, opportunity.ExpectedProfit, captured, profit, note);
        }

        var notional = opportunity.Amount * opportunity.BuyPrice * buy.QuoteRate;
        var refusal = !options.Enabled ? "arbitrage is switched off (Arbitrage:Enabled)"
            : notional > options.MaxNotional ? F($"{notional:0.########} is above Arbitrage:MaxNotional {options.MaxNotional}")
            : accountGate is null ? null
            : await accountGate(cancellationToken);
        if (refusal is not null)
        {
            return Outcome(ArbitrageStatus.Refused, null, null, null, $"refused: {refusal}");
        }

        Order bought;
        try
        {
            bought = await buy.Exchange.CreateOrderAsync(new OrderRequest(buy.Symbol, OrderType.Market, OrderSide.Buy, opportunity.Amount, opportunity.BuyPrice, buyId), cancellationToken);
        }
        catch (ExchangeException ex)
        {
            logger.LogFailure(LogLevel.Warning, ex, "Arbitrage {DecisionId}: the buy leg on {Venue} failed; nothing held: {Reason}", decisionId, buy.Name);
            return Outcome(ArbitrageStatus.NotFilled, null, null, null, $"buy leg on {buy.Name} failed: {FailureLogging.Reason(ex)}");
        }

        if (bought.Filled <= 0m)
        {
            return Outcome(ArbitrageStatus.NotFilled, bought, null, null, $"buy leg on {buy.Name} filled nothing ({bought.Status})");
        }

        Order? sold = null;
        string? sellFailure = null;
        try
        {
            sold = await sell.Exchange.CreateOrderAsync(new OrderRequest(sell.Symbol, OrderType.Market, OrderSide.Sell, bought.Filled, opportunity.SellPrice, sellId), cancellationToken);
        }
        catch (ExchangeException ex)
        {
            sellFailure = FailureLogging.Reason(ex);
            logger.LogFailure(LogLevel.Warning, ex, "Arbitrage {DecisionId}: the sell leg on {Venue} failed; unwinding on the buy venue: {Reason}", decisionId, sell.Name);
        }

        var left = bought.Filled - (sold?.Filled ?? 0m);
        if (left <= 0m)
        {
            return Outcome(ArbitrageStatus.Completed, bought, sold, null, Describe(bought, sold));
        }

        var why = sellFailure is null ? F($"sell leg on {sell.Name} filled {sold!.Filled} of {bought.Filled}") : $"sell leg on {sell.Name} failed: {sellFailure}";
        try
        {
            var unwound = await buy.Exchange.CreateOrderAsync(new OrderRequest(buy.Symbol, OrderType.Market, OrderSide.Sell, left, null, UnwindClientOrderId(decisionId)), cancellationToken);
            var unwoundAll = unwound.Filled >= left;
            return Outcome(unwoundAll ? ArbitrageStatus.Unwound : ArbitrageStatus.Naked, bought, sold, unwound, F($"{why}; {unwound.Filled} of {left} sold back on {buy.Name}{(unwoundAll ? string.Empty : ", the rest is still held")}"));
        }
        catch (ExchangeException ex)
        {
            logger.LogFailure(LogLevel.Error, ex, "Arbitrage {DecisionId}: the unwind on {Venue} failed; the base bought is still held: {Reason}", decisionId, buy.Name);
            return Outcome(ArbitrageStatus.Naked, bought, sold, null, F($"{why}; unwinding {left} on {buy.Name} failed too ({FailureLogging.Reason(ex)}): still held"));
        }
    }

    private ArbitrageVenue Venue(string name) =>
        venues.FirstOrDefault(v => v.Name == name) ?? throw new InvalidOperationException($"no venue {name}");

    /// <summary>A leg's fee in its venue's quote currency (the paper venues and Binance's quote-fee sells charge it there; a base fee is valued at the fill).</summary>
    private static decimal Fee(Order? order, ArbitrageVenue venue) =>
        order is null ? 0m
        : order.FeeCurrency == MarketSymbol.Base(venue.Symbol) ? order.Fee * order.Average
        : order.Fee;

    private static decimal Slippage(decimal? filled, decimal top, bool buying) =>
        filled is not > 0m || top <= 0m ? 0m : Math.Round((buying ? filled.Value - top : top - filled.Value) / top * 100m, 6, MidpointRounding.AwayFromZero);

    private static string Describe(Order bought, Order? sold) =>
        F($"bought {bought.Filled} at {bought.Average}, sold {sold?.Filled} at {sold?.Average}");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
