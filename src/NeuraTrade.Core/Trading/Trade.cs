namespace NeuraTrade.Core.Trading;

/// <summary>Whether a fill added liquidity (maker) or took it (taker).</summary>
public enum TakerOrMaker
{
    Taker,
    Maker,
}

/// <summary>ccxt's unified trade (one of the account's own fills). Fee is in <see cref="FeeCurrency"/>.</summary>
public sealed record Trade(
    string Id,
    string OrderId,
    string Symbol,
    OrderSide Side,
    TakerOrMaker? TakerOrMaker,
    decimal Price,
    decimal Amount,
    decimal Cost,
    decimal Fee,
    string FeeCurrency,
    DateTimeOffset Timestamp);
