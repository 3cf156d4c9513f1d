namespace NeuraTrade.Functions.Auth;

/// <summary>
/// Marks an HTTP function that moves money or changes what the bot may do. Under <c>Auth:Mode=entra</c> it checks the
/// caller with <see cref="TradingAuthorization"/>; the postdeploy hook gives each such function a named key. Tests find
/// these by reflection, so a new trading function is covered once it carries the attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TradingActionAttribute : Attribute
{
    /// <summary>When the function trades only for some requests (a decision with <c>execute: true</c>), says which.</summary>
    public string? When { get; init; }
}
