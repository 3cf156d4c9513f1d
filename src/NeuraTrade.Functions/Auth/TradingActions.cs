using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace NeuraTrade.Functions.Auth;

/// <summary>An HTTP function marked <see cref="TradingActionAttribute"/>: its function name, route and condition.</summary>
public sealed record TradingAction(string Name, string Route, string? When);

public static class TradingActions
{
    /// <summary>
    /// Every <c>[Function]</c> method with an <c>[HttpTrigger]</c> and <see cref="TradingActionAttribute"/> in
    /// <paramref name="assembly"/>, by name: what the start-up report names and the postdeploy hook gives keys to.
    /// </summary>
    public static IReadOnlyList<TradingAction> Find(Assembly assembly) =>
        assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (
                Function: m.GetCustomAttribute<FunctionAttribute>(),
                Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null),
                Trading: m.GetCustomAttribute<TradingActionAttribute>()))
            .Where(x => x is { Function: not null, Trigger: not null, Trading: not null })
            .Select(x => new TradingAction(x.Function!.Name, x.Trigger!.Route ?? x.Function.Name, x.Trading!.When))
            .OrderBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
}
