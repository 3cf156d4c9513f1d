using System.Text.Json;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Exchanges.Paper;

/// <summary>
/// The price tick of each replayed market: what the modelled spread is floored at (a spread is never less than one tick
/// on a real venue) and what limit prices are rounded to. A data folder states its markets' ticks in
/// <c>markets.json</c> beside the candle files:
/// <code>
/// { "markets": { "BTC/USDT": { "tick_size": 0.01, "source": "Binance spot BTCUSDT PRICE_FILTER" } } }
/// </code>
/// A market the file does not name (or a folder without the file) gets the tick its data shows: ten to the minus the
/// most decimals any of its prices is written with, at most 8 (<see cref="Inferred"/>). That can only be coarser than
/// the venue's tick when the file never writes a price at full precision (the bundled BTC/USDT file writes one
/// decimal; Binance's tick is 0.01), so bundled markets are named in the file.
/// </summary>
public static class MarketTicks
{
    public const string FileName = "markets.json";

    private const int MaxDecimals = 8;

    /// <summary>The ticks <c>markets.json</c> in <paramref name="directory"/> states, by symbol; empty without the file.</summary>
    /// <exception cref="InvalidDataException">The file is not the documented shape, or a tick is not a positive number.</exception>
    public static IReadOnlyDictionary<string, decimal> Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var ticks = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return ticks;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (!document.RootElement.TryGetProperty("markets", out var markets) || markets.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: expected {{\"markets\": {{\"BASE/QUOTE\": {{\"tick_size\": 0.01}}}}}}");
            }

            foreach (var market in markets.EnumerateObject())
            {
                if (!MarketSymbol.TryNormalize(market.Name, out var symbol))
                {
                    throw new InvalidDataException($"{path}: '{market.Name}' is not a symbol like BTC/USDT");
                }

                if (market.Value.ValueKind != JsonValueKind.Object
                    || !market.Value.TryGetProperty("tick_size", out var tick)
                    || tick.ValueKind != JsonValueKind.Number
                    || !tick.TryGetDecimal(out var size)
                    || size <= 0m)
                {
                    throw new InvalidDataException($"{path}: markets.{market.Name}.tick_size must be a positive number (the venue's price tick, e.g. 0.01)");
                }

                ticks[symbol] = size;
            }
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {ex.Message}", ex);
        }

        return ticks;
    }

    /// <summary>The tick <paramref name="candles"/> show: 10^−d for the most decimals d any open, high, low or close is written with (at most 8).</summary>
    public static decimal Inferred(IReadOnlyList<Candle> candles)
    {
        var decimals = 0;
        foreach (var c in candles)
        {
            decimals = Math.Max(decimals, Math.Max(Math.Max(c.Open.Scale, c.High.Scale), Math.Max(c.Low.Scale, c.Close.Scale)));
            if (decimals >= MaxDecimals)
            {
                return 0.00000001m;
            }
        }

        var tick = 1m;
        for (var i = 0; i < decimals; i++)
        {
            tick /= 10m;
        }

        return tick;
    }
}
