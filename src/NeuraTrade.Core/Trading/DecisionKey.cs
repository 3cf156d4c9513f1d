namespace NeuraTrade.Core.Trading;

/// <summary>What finds one journaled decision (a position names the decision that opened it by this key).</summary>
public sealed record DecisionKey(string Symbol, string Id, DateTimeOffset CreatedAt);
