namespace NeuraTrade.Core.Trading;

/// <summary>
/// The account's currency (<c>Exchange:QuoteCurrency</c>, USDT by default) and the venue's rates into it. Every hard
/// limit (<c>Scalping:MaxPositionSize</c>, <c>MinOrderNotional</c>, <c>MaxDailyLoss</c>, <c>MaxDrawdown</c>), the day's
/// PnL and the equity peak are amounts in this currency; a market quoted in another currency (ETH/BTC in a USDT
/// account) is converted at the venue's rate of that quote (the BTC/USDT ticker's mid, or the inverse market's), so
/// that 100 means 100 USDT on every market and the day's PnL never adds BTC to USDT.
/// </summary>
public sealed class AccountValuation(IExchange exchange, string currency)
{
    public string Currency { get; } = string.IsNullOrWhiteSpace(currency) ? throw new ArgumentException("the account currency is required", nameof(currency)) : currency.Trim().ToUpperInvariant();

    /// <summary>Whether amounts in <paramref name="quote"/> are already in the account's currency.</summary>
    public bool IsAccountCurrency(string quote) => string.Equals(quote, Currency, StringComparison.Ordinal);

    /// <summary>
    /// How much of the account's currency one <paramref name="quote"/> is worth now: 1 for the account's own currency,
    /// else the venue's rate; null when the venue quotes neither <c>{quote}/{account}</c> nor <c>{account}/{quote}</c>
    /// (a limit in the account's currency then cannot be checked, and the entry is refused).
    /// </summary>
    public Task<decimal?> RateAsync(string quote, CancellationToken cancellationToken) =>
        IsAccountCurrency(quote) ? Task.FromResult<decimal?>(1m) : RateInAsync(quote, Currency, cancellationToken);

    /// <summary>The price of one <paramref name="of"/> in <paramref name="quote"/> at the venue (its ticker's mid, or 1 / the inverse market's); null when neither market exists or answers.</summary>
    public async Task<decimal?> RateInAsync(string of, string quote, CancellationToken cancellationToken)
    {
        if (string.Equals(of, quote, StringComparison.Ordinal))
        {
            return 1m;
        }

        var markets = await exchange.LoadMarketsAsync(cancellationToken);
        foreach (var (symbol, inverse) in new[] { ($"{of}/{quote}", false), ($"{quote}/{of}", true) })
        {
            if (!markets.ContainsKey(symbol))
            {
                continue;
            }

            try
            {
                var mid = (await exchange.FetchTickerAsync(symbol, cancellationToken)).Mid;
                if (mid > 0m)
                {
                    return inverse ? 1m / mid : mid;
                }
            }
            catch (ExchangeException)
            {
                // No price now: try the other market, else unknown.
            }
        }

        return null;
    }
}
