using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>Last closes per market, for marking the account and buy-and-hold (both backtest paths mark through here).</summary>
public sealed class BacktestMarks
{
    private readonly BacktestSettings _settings;
    private readonly int[] _next;
    private readonly decimal?[] _first;
    private readonly decimal?[] _last;
    private readonly decimal _entryCost;
    private readonly string[] _bases;
    private readonly decimal?[] _units;

    public BacktestMarks(BacktestSettings settings)
    {
        _settings = settings;
        _next = new int[settings.Markets.Count];
        _first = new decimal?[settings.Markets.Count];
        _last = new decimal?[settings.Markets.Count];
        _entryCost = (settings.TakerFeePercent + settings.SlippagePercent) / 100m;
        _bases = [.. settings.Markets.Select(m => MarketSymbol.Base(m.Symbol))];
        _units = new decimal?[settings.Markets.Count];
    }

    public void Advance(DateTimeOffset open)
    {
        for (var m = 0; m < _next.Length; m++)
        {
            var candles = _settings.Markets[m].Candles;
            while (_next[m] < candles.Count && candles[_next[m]].OpenTime <= open)
            {
                var c = candles[_next[m]++];
                if (_settings.From is null || c.OpenTime >= _settings.From)
                {
                    _first[m] ??= c.Close;
                    _last[m] = c.Close;
                }
            }
        }
    }

    public decimal Equity(InMemoryPaperAccountStore account)
    {
        if (account.OrdersSaved == 0)
        {
            return _settings.StartingBalance;
        }

        var total = 0m;
        foreach (var (currency, amount) in account.Balances)
        {
            // Most steps are flat: the quote is worth itself and an emptied base currency nothing.
            total += string.Equals(currency, _settings.QuoteCurrency, StringComparison.Ordinal) ? amount : amount == 0m ? 0m : amount * Price(currency);
        }

        return total;
    }

    /// <summary>Equal weights bought at each market's first close (after fee and slippage), held, not yet sold.</summary>
    public decimal BuyAndHold()
    {
        var value = 0m;
        var weight = _settings.StartingBalance / _next.Length;
        for (var m = 0; m < _next.Length; m++)
        {
            if (_first[m] is { } first && first != 0m)
            {
                // Units bought with the market's share after fee and slippage, worth the last close now.
                _units[m] ??= weight * (1m - _entryCost) / first;
                value += _units[m]!.Value * _last[m]!.Value;
            }
            else
            {
                value += weight;
            }
        }

        return value;
    }

    /// <summary>
    /// The prices <see cref="Equity"/> values the account at after the step opening at <paramref name="open"/>: each base
    /// currency at its market's last close (0 before its first candle), the quote currency at 1.
    /// </summary>
    public static EquityMarks At(BacktestSettings settings, DateTimeOffset? open)
    {
        var marks = new BacktestMarks(settings);
        if (open is { } at)
        {
            marks.Advance(at);
        }

        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var currency in marks._bases)
        {
            prices.TryAdd(currency, marks.Price(currency));
        }

        return new EquityMarks(settings.QuoteCurrency, prices);
    }

    /// <summary>The last close of the market whose base is <paramref name="currency"/> (0 when none is known).</summary>
    private decimal Price(string currency)
    {
        for (var m = 0; m < _next.Length; m++)
        {
            if (string.Equals(_bases[m], currency, StringComparison.Ordinal))
            {
                return _last[m] ?? 0m;
            }
        }

        return 0m;
    }
}
