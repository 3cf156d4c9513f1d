using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>A venue the arbitrage trades on: its own exchange port (paper or real), its market and its costs.</summary>
public sealed record ArbitrageVenue(string Name, IExchange Exchange, string Symbol, decimal TakerFeePercent, decimal SlippagePercent, decimal QuoteRate);
