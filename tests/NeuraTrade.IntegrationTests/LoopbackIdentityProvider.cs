using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// An Entra ID stand-in on a free loopback port: OpenID Connect metadata with an Entra-shaped v2 issuer and a JWKS of
/// one RSA key, and tokens signed with it (or with a key it does not publish). The app reads the metadata exactly as
/// it would read login.microsoftonline.com's.
/// </summary>
internal sealed class LoopbackIdentityProvider : IAsyncDisposable
{
    public const string TenantId = "8c1a4c8e-5d0b-4f6e-9a43-2f6d9c7b1e55";
    public const string ClientId = "3f2b9d6a-0c47-4e8e-b1a5-7d9e2c4f6a81";
    public const string Issuer = $"https://login.microsoftonline.com/{TenantId}/v2.0";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _published;
    private readonly RsaSecurityKey _unpublished = new(RSA.Create(2048)) { KeyId = "not-published" };

    private LoopbackIdentityProvider(WebApplication app, RsaSecurityKey published, string address)
    {
        _app = app;
        _published = published;
        MetadataAddress = $"{address}/{TenantId}/v2.0/.well-known/openid-configuration";
    }

    public string MetadataAddress { get; }

    /// <summary>The <c>Auth</c> settings of an app that trusts this provider.</summary>
    public IReadOnlyDictionary<string, string?> Settings(bool trustPlatformPrincipal = false) => new Dictionary<string, string?>
    {
        ["Auth:Mode"] = "entra",
        ["Auth:TenantId"] = TenantId,
        ["Auth:ClientId"] = ClientId,
        ["Auth:MetadataAddress"] = MetadataAddress,
        ["Auth:TrustPlatformPrincipal"] = trustPlatformPrincipal ? "true" : "false",
    };

    public static async Task<LoopbackIdentityProvider> StartAsync()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "published-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var address = string.Empty; // known once the server has its port; read by the handlers only after that
        app.MapGet($"/{TenantId}/v2.0/.well-known/openid-configuration", () => Results.Json(new JsonObject
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = $"{address}/{TenantId}/oauth2/v2.0/authorize",
            ["token_endpoint"] = $"{address}/{TenantId}/oauth2/v2.0/token",
            ["jwks_uri"] = $"{address}/{TenantId}/discovery/v2.0/keys",
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        }));
        app.MapGet($"/{TenantId}/discovery/v2.0/keys", () =>
        {
            var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
            return Results.Json(new JsonObject
            {
                ["keys"] = new JsonArray(new JsonObject
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = key.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                }),
            });
        });
        await app.StartAsync();
        address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackIdentityProvider(app, key, address);
    }

    /// <summary>An access token as Entra issues one for the app: audience the client id, app roles in <c>roles</c>.</summary>
    public string Token(
        string[] roles,
        string audience = ClientId,
        string issuer = Issuer,
        TimeSpan? expiresIn = null,
        bool signedByPublishedKey = true)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(60));
        var claims = new Dictionary<string, object> { ["oid"] = "0b7e2d4c-1111-4a2b-8c3d-9e8f7a6b5c4d", ["tid"] = TenantId };
        if (roles.Length > 0)
        {
            claims["roles"] = roles;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = expires < now ? expires - TimeSpan.FromMinutes(60) : now,
            NotBefore = expires < now ? expires - TimeSpan.FromMinutes(60) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(signedByPublishedKey ? _published : _unpublished, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _published.Rsa.Dispose();
        _unpublished.Rsa.Dispose();
    }
}
