namespace NeuraTrade.Functions.Auth;

/// <summary>Who may call the functions that trade (section <c>Auth</c>). README "Settings", docs/deploy.md "Entra ID for trading actions".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary><c>key</c> (default): a function key is enough. <c>entra</c>: trading actions also need an Entra ID token with <see cref="TradingRole"/>.</summary>
    public AuthMode Mode { get; set; } = AuthMode.Key;

    /// <summary>Directory (tenant) id of the app registration; names the default metadata address.</summary>
    public string TenantId { get; set; } = string.Empty;

    /// <summary>Application (client) id of the app registration: a token's audience must be it or <c>api://</c> it.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>Another accepted audience (an Application ID URI that is not <c>api://ClientId</c>); empty: none.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Login host (sovereign clouds have their own).</summary>
    public string Instance { get; set; } = "https://login.microsoftonline.com/";

    /// <summary>OpenID Connect metadata; empty: <c>{Instance}{TenantId}/v2.0/.well-known/openid-configuration</c>.</summary>
    public string MetadataAddress { get; set; } = string.Empty;

    /// <summary>App role a caller needs for a trading action.</summary>
    public string TradingRole { get; set; } = "Trading.Execute";

    /// <summary>Claim that carries app roles in Entra ID tokens.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>
    /// Read the caller from the <c>X-MS-CLIENT-PRINCIPAL</c> header of App Service authentication (a browser's sign-in
    /// session). Only safe where the platform's authentication is on, since only then does the platform remove the header
    /// from what a client sends: the Bicep template sets it exactly when it turns authsettingsV2 on.
    /// </summary>
    public bool TrustPlatformPrincipal { get; set; }

    public string ResolvedMetadataAddress =>
        string.IsNullOrWhiteSpace(MetadataAddress)
            ? $"{Instance.TrimEnd('/')}/{TenantId}/v2.0/.well-known/openid-configuration"
            : MetadataAddress;

    /// <summary>Signing keys come over HTTPS; plain HTTP only from this machine (tests, a local stand-in).</summary>
    public bool MetadataIsHttpsOrLoopback() =>
        Uri.TryCreate(ResolvedMetadataAddress, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)));

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host, out var ip) && System.Net.IPAddress.IsLoopback(ip));

    /// <summary>The audiences a token may carry: the client id, <c>api://</c> client id, and <see cref="Audience"/>.</summary>
    public IReadOnlyList<string> ValidAudiences() =>
        new[] { ClientId, $"api://{ClientId}", Audience }.Where(a => !string.IsNullOrWhiteSpace(a)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Entra issues v1 access tokens (issuer <c>https://sts.windows.net/{tenant}/</c>) unless the app asks for v2.</summary>
    public IReadOnlyList<string> ExtraIssuers() =>
        Guid.TryParse(TenantId, out var tenant) ? [$"https://sts.windows.net/{tenant:D}/"] : [];
}

public enum AuthMode
{
    Key,
    Entra,
}
