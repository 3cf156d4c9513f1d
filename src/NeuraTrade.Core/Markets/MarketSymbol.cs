using System.Diagnostics.CodeAnalysis;

namespace NeuraTrade.Core.Markets;

/// <summary>Unified (ccxt) market symbol <c>BASE/QUOTE</c>, upper case.</summary>
public static class MarketSymbol
{
    /// <summary>Normalizes "btc/usdt" to "BTC/USDT"; false when the text is not BASE/QUOTE.</summary>
    public static bool TryNormalize(string? text, [NotNullWhen(true)] out string? symbol)
    {
        symbol = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var parts = text.Trim().Split('/');
        if (parts.Length != 2 || !IsAsset(parts[0]) || !IsAsset(parts[1]))
        {
            return false;
        }

        symbol = $"{parts[0].ToUpperInvariant()}/{parts[1].ToUpperInvariant()}";
        return true;
    }

    public static string Base(string symbol) => symbol[..symbol.IndexOf('/', StringComparison.Ordinal)];

    public static string Quote(string symbol) => symbol[(symbol.IndexOf('/', StringComparison.Ordinal) + 1)..];

    private static bool IsAsset(string part) =>
        part.Length is >= 2 and <= 12 && part.All(char.IsAsciiLetterOrDigit);
}
