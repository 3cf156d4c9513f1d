using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace NeuraTrade.Functions.Auth;

/// <summary>What a bearer token proved: a caller's claims, or why not.</summary>
public sealed record TokenCheck(ClaimsIdentity? Identity, string? Failure, bool MetadataUnavailable = false);

/// <summary>
/// Validates an Entra ID bearer token in the worker: signature against the signing keys of the tenant's OpenID Connect
/// metadata (fetched over HTTPS, cached and refreshed by <see cref="ConfigurationManager{T}"/>), issuer, audience and
/// lifetime. A loopback metadata address may be plain HTTP (tests and local runs).
/// </summary>
public sealed class EntraTokenValidator : IDisposable
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    private readonly AuthOptions _options;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _metadata;
    private readonly JsonWebTokenHandler _handler = new();

    public EntraTokenValidator(IOptions<AuthOptions> options)
    {
        _options = options.Value;
        var address = _options.ResolvedMetadataAddress;
        _metadata = new ConfigurationManager<OpenIdConnectConfiguration>(
            address,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(_http) { RequireHttps = !(Uri.TryCreate(address, UriKind.Absolute, out var uri) && AuthOptions.IsLoopback(uri)) });
    }

    public async Task<TokenCheck> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        try
        {
            var result = await _handler.ValidateTokenAsync(token, Parameters(await _metadata.GetConfigurationAsync(cancellationToken)));
            if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
            {
                // The tenant may have rolled its keys since the metadata was read: read it again (at most every 5 minutes).
                _metadata.RequestRefresh();
                result = await _handler.ValidateTokenAsync(token, Parameters(await _metadata.GetConfigurationAsync(cancellationToken)));
            }

            return result.IsValid
                ? new TokenCheck(result.ClaimsIdentity, null)
                : new TokenCheck(null, Reason(result.Exception));
        }
        catch (InvalidOperationException ex)
        {
            // ConfigurationManager's failure to read the metadata or its keys (IDX20803).
            return new TokenCheck(null, $"the sign-in metadata at {_options.ResolvedMetadataAddress} could not be read ({ex.Message.Split('\n')[0]})", MetadataUnavailable: true);
        }
    }

    public void Dispose() => _http.Dispose();

    private TokenValidationParameters Parameters(OpenIdConnectConfiguration configuration) => new()
    {
        ValidIssuers = [configuration.Issuer, .. _options.ExtraIssuers()],
        ValidAudiences = _options.ValidAudiences(),
        IssuerSigningKeys = configuration.SigningKeys,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ClockSkew = ClockSkew,
    };

    /// <summary>A short reason for the log and the 401 (never the token).</summary>
    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "the token has expired",
        SecurityTokenNotYetValidException => "the token is not valid yet",
        SecurityTokenInvalidAudienceException => "the token is for another audience",
        SecurityTokenInvalidIssuerException => "the token is from another issuer",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the token's signature does not verify against the tenant's keys",
        SecurityTokenMalformedException => "the token is not a JWT",
        _ => "the token is not valid",
    };
}
