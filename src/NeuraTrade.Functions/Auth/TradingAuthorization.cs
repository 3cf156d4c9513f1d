using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Functions.Auth;

/// <summary>
/// The worker's own check before a trading action (<see cref="TradingActionAttribute"/>). Under <c>Auth:Mode=key</c>
/// it allows everything (the function key, checked by the platform, is the gate). Under <c>entra</c> the caller must
/// also prove who they are, with an Entra ID bearer token validated here or, when trusted, the platform's sign-in
/// session, and hold the trading role: no proof is 401, no role 403, both as problem details.
/// </summary>
public sealed partial class TradingAuthorization(IOptions<AuthOptions> options, EntraTokenValidator tokens, ILogger<TradingAuthorization> logger)
{
    /// <returns>Null when the action may go ahead; otherwise the problem response to send.</returns>
    public async Task<IActionResult?> AuthorizeAsync(HttpRequest request, string action, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Mode == AuthMode.Key)
        {
            return null;
        }

        ClaimsIdentity? caller;
        if (BearerToken(request) is { } token)
        {
            var check = await tokens.ValidateAsync(token, cancellationToken);
            if (check.MetadataUnavailable)
            {
                LogMetadataUnavailable(logger, action, check.Failure!);
                return ApiResults.Problem(StatusCodes.Status503ServiceUnavailable, "Sign-in cannot be checked now; try again.", "The identity provider's signing keys could not be read.");
            }

            if (check.Identity is null)
            {
                LogRefused(logger, action, check.Failure!);
                return Unauthorized(request, $"The bearer token was refused: {check.Failure}.", "invalid_token");
            }

            caller = check.Identity;
        }
        else if (settings.TrustPlatformPrincipal && PlatformPrincipal.Read(request, settings.RoleClaim) is { } signedIn)
        {
            caller = signedIn;
        }
        else
        {
            LogRefused(logger, action, "no Entra ID token");
            return Unauthorized(request, "This action needs an Entra ID bearer token (Authorization: Bearer ...) besides the function key.", null);
        }

        var who = Name(caller);
        if (!caller.Claims.Any(c => c.Type == settings.RoleClaim && string.Equals(c.Value, settings.TradingRole, StringComparison.Ordinal)))
        {
            LogForbidden(logger, action, who, settings.TradingRole);
            return ApiResults.Problem(StatusCodes.Status403Forbidden, "The caller may not trade.", $"The caller is signed in but does not hold the app role '{settings.TradingRole}' that {action} needs.");
        }

        LogAllowed(logger, action, who);
        return null;
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }

    private static ContentResult Unauthorized(HttpRequest request, string detail, string? error)
    {
        request.HttpContext.Response.Headers.WWWAuthenticate = error is null ? "Bearer" : $"Bearer error=\"{error}\"";
        return ApiResults.Problem(StatusCodes.Status401Unauthorized, "Sign-in required.", detail);
    }

    /// <summary>Who acted, for the audit line: object id (users and apps alike), else subject; never the token.</summary>
    private static string Name(ClaimsIdentity caller) =>
        caller.FindFirst("oid")?.Value
        ?? caller.FindFirst("http://schemas.microsoft.com/identity/claims/objectidentifier")?.Value
        ?? caller.FindFirst("sub")?.Value
        ?? "unknown";

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Trading action {Action} allowed for caller {Caller}")]
    private static partial void LogAllowed(ILogger logger, string action, string caller);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Trading action {Action} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string action, string reason);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Warning, Message = "Trading action {Action} refused for caller {Caller}: no app role {Role}")]
    private static partial void LogForbidden(ILogger logger, string action, string caller, string role);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Error, Message = "Trading action {Action} not checked: {Reason}")]
    private static partial void LogMetadataUnavailable(ILogger logger, string action, string reason);
}
