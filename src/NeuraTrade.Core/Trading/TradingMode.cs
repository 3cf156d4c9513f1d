namespace NeuraTrade.Core.Trading;

/// <summary>
/// How real the orders are. Paper is the default everywhere; testnet sends orders to the venue's test
/// environment (no real money); live sends real orders and must be chosen explicitly (setting <c>Trading:Mode</c>).
/// </summary>
public enum TradingMode
{
    Paper,
    Testnet,
    Live,
}
