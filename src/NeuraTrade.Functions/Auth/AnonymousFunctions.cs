using System.Collections.Frozen;

namespace NeuraTrade.Functions.Auth;

/// <summary>
/// The one list of HTTP functions that answer without a function key, on purpose. Every other HTTP function is
/// <c>AuthorizationLevel.Function</c> or stricter (a test reads this list and every <c>[HttpTrigger]</c>), since it
/// trades, toggles, or reveals positions, PnL, decisions or limits. A function listed here must reveal nothing of that kind:
/// <c>Health</c> (probes and monitors call it without a key) says only states and kinds of failure.
/// </summary>
public static class AnonymousFunctions
{
    public static FrozenSet<string> Names { get; } = FrozenSet.ToFrozenSet(["Health"], StringComparer.Ordinal);
}
