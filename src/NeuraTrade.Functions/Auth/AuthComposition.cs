using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace NeuraTrade.Functions.Auth;

/// <summary>The <c>Auth</c> section and the trading check; a half-set <c>Auth:Mode=entra</c> stops the app at start, naming the key.</summary>
public static class AuthComposition
{
    public static IServiceCollection AddTradingAuthorization(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .Validate(o => o.Mode == AuthMode.Key || !string.IsNullOrWhiteSpace(o.ClientId), "Auth:ClientId is required when Auth:Mode is entra: the application (client) id of the app registration tokens are issued for.")
            .Validate(o => o.Mode == AuthMode.Key || !string.IsNullOrWhiteSpace(o.TenantId) || !string.IsNullOrWhiteSpace(o.MetadataAddress), "Auth:TenantId (or Auth:MetadataAddress) is required when Auth:Mode is entra: the directory whose tokens are accepted.")
            .Validate(o => o.Mode == AuthMode.Key || o.MetadataIsHttpsOrLoopback(), "Auth:MetadataAddress (or Auth:Instance with Auth:TenantId) must make an https:// URL (plain http only on loopback), e.g. https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TradingRole) && !string.IsNullOrWhiteSpace(o.RoleClaim), "Auth:TradingRole and Auth:RoleClaim must not be empty (defaults: Trading.Execute, roles).")
            .ValidateOnStart();
        services.AddSingleton<EntraTokenValidator>();
        services.AddSingleton<TradingAuthorization>();
        return services;
    }
}
