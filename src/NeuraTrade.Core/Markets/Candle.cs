namespace NeuraTrade.Core.Markets;

/// <summary>One OHLCV bar; <see cref="OpenTime"/> is the candle's open time in UTC (ccxt's OHLCV row).</summary>
public sealed record Candle(DateTimeOffset OpenTime, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume);
