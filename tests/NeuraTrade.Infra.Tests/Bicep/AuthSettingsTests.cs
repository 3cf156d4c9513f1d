using System.Text.Json.Nodes;
using static NeuraTrade.Infra.Tests.Bicep.CompiledTemplate;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// Auth__Mode in the template: key (default) deploys no App Service authentication and tells the app not to believe the
/// platform's principal header; entra turns authsettingsV2 on (anonymous requests still reach the app, which checks
/// trading actions itself) and gives the app what it needs to check tokens. Both variants are evaluated offline.
/// </summary>
public sealed class AuthSettingsTests
{
    private const string AuthConfig = "Microsoft.Web/sites/config";
    private const string ClientId = "3f2b9d6a-0c47-4e8e-b1a5-7d9e2c4f6a81";

    [Fact]
    public async Task Key_mode_is_the_default_and_deploys_no_app_service_authentication()
    {
        var template = await MainAsync();
        var snapshot = await DeploymentSnapshot.OfAsync();

        Assert.Equal("key", Text(template.Parameters["authMode"]!["defaultValue"]));
        Assert.Empty(snapshot.OfType(AuthConfig));
        var settings = snapshot.AppSettings();
        Assert.Equal("key", settings["Auth__Mode"]);
        Assert.Equal("false", settings["Auth__TrustPlatformPrincipal"]);
        Assert.False(settings.ContainsKey("Auth__ClientId"), "an empty client id is left out, as every empty setting");
    }

    [Fact]
    public async Task Entra_mode_turns_on_app_service_authentication_that_lets_anonymous_requests_reach_the_app()
    {
        var snapshot = await DeploymentSnapshot.OfAsync(("authMode", "'entra'"), ("authClientId", $"'{ClientId}'"));

        var auth = snapshot.Single(AuthConfig);
        Assert.EndsWith("/authsettingsV2", (string?)auth["name"], StringComparison.Ordinal);
        var properties = auth["properties"]!;
        Assert.True((bool)properties["platform"]!["enabled"]!);
        Assert.False((bool)properties["globalValidation"]!["requireAuthentication"]!);
        Assert.Equal("AllowAnonymous", Text(properties["globalValidation"]!["unauthenticatedClientAction"]));
        Assert.True((bool)properties["httpSettings"]!["requireHttps"]!);
        var entra = properties["identityProviders"]!["azureActiveDirectory"]!;
        Assert.True((bool)entra["enabled"]!);
        Assert.Equal(ClientId, Text(entra["registration"]!["clientId"]));
        Assert.Equal(Issuer(DeploymentSnapshot.TenantId), Text(entra["registration"]!["openIdIssuer"]));
        Assert.Equal([ClientId, $"api://{ClientId}"], entra["validation"]!["allowedAudiences"]!.AsArray().Select(Text));

        var settings = snapshot.AppSettings();
        Assert.Equal("entra", settings["Auth__Mode"]);
        Assert.Equal(ClientId, settings["Auth__ClientId"]);
        Assert.Equal(DeploymentSnapshot.TenantId, settings["Auth__TenantId"]);
        Assert.Equal("Trading.Execute", settings["Auth__TradingRole"]);
        Assert.Equal("true", settings["Auth__TrustPlatformPrincipal"]);
        Assert.Equal("[environment().authentication.loginEndpoint]", settings["Auth__Instance"]);
    }

    [Fact]
    public async Task Entra_mode_takes_another_tenant_and_audience_when_given()
    {
        const string tenant = "8c1a4c8e-5d0b-4f6e-9a43-2f6d9c7b1e55";
        var snapshot = await DeploymentSnapshot.OfAsync(("authMode", "'entra'"), ("authClientId", $"'{ClientId}'"), ("authTenantId", $"'{tenant}'"), ("authAudience", "'api://neuratrade'"));

        var entra = snapshot.Single(AuthConfig)["properties"]!["identityProviders"]!["azureActiveDirectory"]!;
        Assert.Equal(Issuer(tenant), Text(entra["registration"]!["openIdIssuer"]));
        Assert.Equal([ClientId, $"api://{ClientId}", "api://neuratrade"], entra["validation"]!["allowedAudiences"]!.AsArray().Select(Text));
        Assert.Equal(tenant, snapshot.AppSettings()["Auth__TenantId"]);
        Assert.Equal("api://neuratrade", snapshot.AppSettings()["Auth__Audience"]);
    }

    /// <summary>The v2 issuer on this cloud's login host (the snapshot leaves environment() unevaluated).</summary>
    private static string Issuer(string tenant) => $"[format('{{0}}{{1}}/v2.0', environment().authentication.loginEndpoint, '{tenant}')]";

    [Fact]
    public void Parameters_file_maps_the_auth_settings_from_the_azd_environment()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!;

        Assert.Equal("${Auth__Mode=key}", Text(file["authMode"]!["value"]));
        Assert.Equal("${Auth__ClientId=}", Text(file["authClientId"]!["value"]));
        Assert.Equal("${AZURE_AUTH_TENANT_ID=}", Text(file["authTenantId"]!["value"]));
    }
}
