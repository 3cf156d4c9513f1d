using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace NeuraTrade.Functions.Auth;

/// <summary>
/// The caller App Service authentication signed in, as the platform passes it on: the base64 JSON of the
/// <c>X-MS-CLIENT-PRINCIPAL</c> header. The platform removes these headers from what a client sends whenever its
/// authentication is on, which is the only reason they can be believed; <see cref="AuthOptions.TrustPlatformPrincipal"/>.
/// </summary>
public static class PlatformPrincipal
{
    public const string Header = "X-MS-CLIENT-PRINCIPAL";

    /// <summary>The claims of the header, or null when it is absent, not base64 JSON, or not from Entra ID (<c>aad</c>).</summary>
    public static ClaimsIdentity? Read(HttpRequest request, string roleClaim)
    {
        if (request.Headers[Header].ToString() is not { Length: > 0 } encoded)
        {
            return null;
        }

        Body? body;
        try
        {
            body = JsonSerializer.Deserialize<Body>(Convert.FromBase64String(encoded));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }

        if (body is not { AuthType: "aad", Claims: { } claims })
        {
            return null;
        }

        // Role claims arrive under the provider's claim name ("roles") or the principal's role type.
        var roleType = string.IsNullOrEmpty(body.RoleType) ? roleClaim : body.RoleType;
        return new ClaimsIdentity(
            claims.Where(c => c.Type is not null && c.Value is not null)
                .Select(c => new Claim(c.Type == roleType ? roleClaim : c.Type!, c.Value!)),
            "aad",
            body.NameType,
            roleClaim);
    }

    private sealed record Body(
        [property: JsonPropertyName("auth_typ")] string? AuthType,
        [property: JsonPropertyName("claims")] IReadOnlyList<Entry>? Claims,
        [property: JsonPropertyName("name_typ")] string? NameType,
        [property: JsonPropertyName("role_typ")] string? RoleType);

    private sealed record Entry(
        [property: JsonPropertyName("typ")] string? Type,
        [property: JsonPropertyName("val")] string? Value);
}
