namespace NeuraTrade.Core.Brain;

/// <summary>What a decision asks for: open long (buy), open short (sell), do nothing, or close.</summary>
public enum TradeAction
{
    Hold,
    Buy,
    Sell,
    Close,
}

/// <summary>The strategy a decision is made for; it shapes the brain's framing and which tools it gets.</summary>
public enum TradingStrategy
{
    Scalping,
    Arbitrage,
    Analysis,
}

/// <summary>Where a decision was asked for.</summary>
public enum DecisionSource
{
    Scan,
    Api,
}

/// <summary>What became of an executed decision (seed: win / loss / pending).</summary>
public enum DecisionOutcome
{
    Pending,
    Win,
    Loss,
}

public static class TradingStrategies
{
    public static IReadOnlyList<string> Names { get; } = ["scalping", "arbitrage", "analysis"];

    public static bool TryParse(string? text, out TradingStrategy strategy)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "scalping":
                strategy = TradingStrategy.Scalping;
                return true;
            case "arbitrage":
                strategy = TradingStrategy.Arbitrage;
                return true;
            case "analysis":
                strategy = TradingStrategy.Analysis;
                return true;
            default:
                strategy = default;
                return false;
        }
    }
}
