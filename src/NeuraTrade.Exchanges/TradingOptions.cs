using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges;

/// <summary>
/// Settings section <c>Trading</c>. <c>Mode</c>: <c>paper</c> (default: simulated fills, no keys, no real orders),
/// <c>testnet</c> (Binance spot testnet, test money) or <c>live</c> (real orders, real money; needs keys, the
/// venue's market data and an explicit <c>Scalping:MaxDailyLoss</c>).
/// </summary>
public sealed class TradingOptions
{
    public const string Section = "Trading";

    public string Mode { get; set; } = "paper";

    /// <summary>An empty setting means the default, paper.</summary>
    public bool TryParseMode(out TradingMode mode)
    {
        if (string.IsNullOrWhiteSpace(Mode))
        {
            mode = TradingMode.Paper;
            return true;
        }

        return Enum.TryParse(Mode.Trim(), ignoreCase: true, out mode) && Enum.IsDefined(mode) && !int.TryParse(Mode, out _);
    }

    public TradingMode ParsedMode => TryParseMode(out var mode) ? mode : throw new InvalidOperationException($"Trading:Mode '{Mode}' is not paper, testnet or live.");
}
