using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Functions.Api;

/// <summary>The symbols the API accepts: the configured <c>Scalping:Symbols</c>.</summary>
public sealed class SymbolUniverse(IOptions<ScalpingOptions> options)
{
    public IReadOnlyList<string> Symbols => options.Value.Symbols;

    /// <summary>The normalized symbol, or a 400 naming the <c>symbol</c> field.</summary>
    public (string? Symbol, IActionResult? Problem) Check(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return (null, ApiResults.BadRequest("symbol", "'symbol' is required, e.g. \"BTC/USDT\""));
        }

        if (!MarketSymbol.TryNormalize(raw, out var symbol))
        {
            return (null, ApiResults.BadRequest("symbol", $"'{raw}' is not a symbol of the form BASE/QUOTE"));
        }

        return Symbols.Contains(symbol, StringComparer.Ordinal)
            ? (symbol, null)
            : (null, ApiResults.BadRequest("symbol", $"'{symbol}' is not a configured symbol ({string.Join(", ", Symbols)})"));
    }
}
