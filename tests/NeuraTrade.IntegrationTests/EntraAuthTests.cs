using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NeuraTrade.Functions;
using NeuraTrade.Functions.Auth;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// Auth:Mode=entra over real HTTP on the local host (the same function methods the worker runs), against a loopback
/// Entra ID stand-in: trading actions need a valid token with the trading role (none: 401, no role: 403, as problem
/// details); read-only functions stay on the function key; Auth:Mode=key (the default) changes nothing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EntraAuthTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Role = "Trading.Execute";

    /// <summary>POST functions that only read, on purpose: every other POST must be a <see cref="TradingActionAttribute"/>.</summary>
    private static readonly string[] ReadOnlyPosts = ["AiAnalyze"];

    private LoopbackIdentityProvider _idp = null!;

    public async Task InitializeAsync() => _idp = await LoopbackIdentityProvider.StartAsync();

    public async Task DisposeAsync() => await _idp.DisposeAsync();

    /// <summary>Every [TradingAction] HTTP function, found by reflection, with a request that asks it to act.</summary>
    public static TheoryData<string> TradingFunctions()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _, _) in HttpFunctions().Where(f => f.Trading))
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_state_changing_functions_are_trading_actions_and_every_other_post_is_listed_as_read_only()
    {
        var functions = HttpFunctions();

        Assert.Equal(["AiDecision", "ArbitrageToggle", "ScalpingClosePosition", "ScalpingKill", "ScalpingToggle"], functions.Where(f => f.Trading).Select(f => f.Name).Order());
        Assert.All(
            functions.Where(f => f.Trigger.Methods!.Contains("post", StringComparer.OrdinalIgnoreCase) && !f.Trading),
            f => Assert.True(ReadOnlyPosts.Contains(f.Name), $"{f.Name} is a POST without [TradingAction]: mark it, or list it in ReadOnlyPosts if it only reads"));
    }

    [Theory]
    [MemberData(nameof(TradingFunctions))]
    public async Task A_trading_action_without_a_token_is_a_401_problem_under_entra(string function)
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());

        var response = await host.Http.SendAsync(ActRequest(function, token: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await Json(response)).GetProperty("status").GetInt32());
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Theory]
    [MemberData(nameof(TradingFunctions))]
    public async Task A_trading_action_with_a_token_without_the_role_is_a_403_problem_naming_the_role(string function)
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());

        var response = await host.Http.SendAsync(ActRequest(function, _idp.Token(roles: ["Reader"])));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(Role, (await Json(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TradingFunctions))]
    public async Task A_trading_action_with_the_role_is_carried_out_as_under_key_mode(string function)
    {
        await using var keyHost = await LoopbackFunctionHost.StartAsync(azurite);
        await using var entraHost = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());

        var underKey = await keyHost.Http.SendAsync(ActRequest(function, token: null));
        var underEntra = await entraHost.Http.SendAsync(ActRequest(function, _idp.Token(roles: ["Reader", Role])));

        // The same answer: 200 for a toggle, kill or decision; 404 for closing a position that does not exist.
        Assert.Equal(underKey.StatusCode, underEntra.StatusCode);
        Assert.True(underEntra.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{function}: {underEntra.StatusCode} {await underEntra.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Kill_with_the_role_turns_scalping_off()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());

        var response = await host.Http.SendAsync(ActRequest("ScalpingKill", _idp.Token(roles: [Role])));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await Json(response)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("other audience")]
    [InlineData("other issuer")]
    [InlineData("unpublished key")]
    [InlineData("not a jwt")]
    public async Task A_token_that_does_not_validate_is_a_401_invalid_token_even_with_the_role(string fault)
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());
        var token = fault switch
        {
            "expired" => _idp.Token([Role], expiresIn: TimeSpan.FromMinutes(-10)),
            "other audience" => _idp.Token([Role], audience: "api://some-other-app"),
            "other issuer" => _idp.Token([Role], issuer: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0"),
            "unpublished key" => _idp.Token([Role], signedByPublishedKey: false),
            _ => "not-a-jwt",
        };

        var response = await host.Http.SendAsync(ActRequest("ScalpingKill", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_uri_audience_and_a_v1_issuer_of_the_tenant_are_accepted()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());
        var token = _idp.Token([Role], audience: $"api://{LoopbackIdentityProvider.ClientId}", issuer: $"https://sts.windows.net/{LoopbackIdentityProvider.TenantId}/");

        var response = await host.Http.SendAsync(ActRequest("ScalpingKill", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Read_only_functions_and_a_decision_without_execute_need_no_token_under_entra()
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings());

        var status = await host.Http.GetAsync(new Uri("/api/v1/ai/scalping/status", UriKind.Relative));
        var decisions = await host.Http.GetAsync(new Uri("/api/v1/ai/decisions", UriKind.Relative));
        var decision = await host.Http.PostAsync(new Uri("/api/v1/ai/decision", UriKind.Relative), JsonBody("""{"symbol":"BTC/USDT","execute":false}"""));

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        Assert.Equal(HttpStatusCode.OK, decisions.StatusCode);
        Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
    }

    [Theory]
    [InlineData(true, new[] { Role }, HttpStatusCode.OK)]
    [InlineData(true, new[] { "Reader" }, HttpStatusCode.Forbidden)]
    [InlineData(false, new[] { Role }, HttpStatusCode.Unauthorized)]
    public async Task The_platform_sign_in_principal_counts_only_when_trusted(bool trusted, string[] roles, HttpStatusCode expected)
    {
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, _idp.Settings(trustPlatformPrincipal: trusted));
        var request = ActRequest("ScalpingKill", token: null);
        request.Headers.Add(PlatformPrincipal.Header, Principal(roles));

        var response = await host.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Unreachable_signing_keys_are_a_503_problem_not_a_pass()
    {
        var settings = new Dictionary<string, string?>(_idp.Settings()) { ["Auth:MetadataAddress"] = "http://127.0.0.1:1/none/.well-known/openid-configuration" };
        await using var host = await LoopbackFunctionHost.StartAsync(azurite, settings);

        var response = await host.Http.SendAsync(ActRequest("ScalpingKill", _idp.Token([Role])));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Key_mode_is_the_default()
    {
        await using var app = TestApp.Create(azurite, TestApp.ReplayAnchor);

        Assert.Equal(AuthMode.Key, app.Get<IOptions<AuthOptions>>().Value.Mode);
    }

    [Fact]
    public async Task The_start_up_report_says_who_may_trade()
    {
        await using var keyApp = TestApp.Create(azurite, TestApp.ReplayAnchor);
        await using var entraApp = TestApp.Create(azurite, TestApp.ReplayAnchor, new Dictionary<string, string?>(_idp.Settings()));

        Assert.Contains(keyApp.Get<NeuraTrade.Functions.Composition.StartupReport>().Lines(), l => l.StartsWith("Auth: key", StringComparison.Ordinal));
        var line = Assert.Single(entraApp.Get<NeuraTrade.Functions.Composition.StartupReport>().Lines(), l => l.StartsWith("Auth: ", StringComparison.Ordinal));
        Assert.Equal(
            $"Auth: entra, client {LoopbackIdentityProvider.ClientId}, role {Role} for AiDecision (execute is true), ArbitrageToggle, ScalpingClosePosition, ScalpingKill, ScalpingToggle; platform sign-in header ignored",
            line);
    }

    [Theory]
    [InlineData("Auth:ClientId", "Auth:ClientId")]
    [InlineData("Auth:TenantId", "Auth:TenantId")]
    [InlineData("Auth:TradingRole", "Auth:TradingRole")]
    [InlineData("Auth:MetadataAddress=http://login.example.net/t/v2.0/.well-known/openid-configuration", "Auth:MetadataAddress")]
    [InlineData("Auth:Instance=login.example.net", "Auth:MetadataAddress")]
    public async Task Entra_mode_with_a_setting_missing_or_wrong_fails_at_start_naming_it(string setting, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "entra",
            ["Auth:TenantId"] = LoopbackIdentityProvider.TenantId,
            ["Auth:ClientId"] = LoopbackIdentityProvider.ClientId,
        };
        var parts = setting.Split('=', 2);
        settings[parts[0]] = parts.Length == 2 ? parts[1] : string.Empty;
        await using var app = TestApp.Create(azurite, TestApp.ReplayAnchor, settings);

        var error = Assert.Throws<OptionsValidationException>(() => app.Get<IOptions<AuthOptions>>().Value);
        Assert.Contains(named, string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    private static List<(string Name, HttpTriggerAttribute Trigger, bool Trading)> HttpFunctions() =>
        typeof(ScalpingFunctions).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null), Trading: m.GetCustomAttribute<TradingActionAttribute>() is not null))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .Select(x => (x.Function!.Name, x.Trigger!, x.Trading))
            .ToList();

    /// <summary>A request that asks <paramref name="function"/> to act: execute a decision, turn scalping off, close, kill.</summary>
    private static HttpRequestMessage ActRequest(string function, string? token)
    {
        var trigger = HttpFunctions().Single(f => f.Name == function).Trigger;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/" + trigger.Route!.Replace("{id}", "pos-missing", StringComparison.Ordinal), UriKind.Relative))
        {
            Content = JsonBody("""{"symbol":"BTC/USDT","execute":true,"enabled":false}"""),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>The header App Service authentication sets for a signed-in Entra ID user.</summary>
    private static string Principal(string[] roles)
    {
        var claims = roles.Select(r => new { typ = "roles", val = r })
            .Append(new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = "0b7e2d4c-2222-4a2b-8c3d-9e8f7a6b5c4d" });
        var json = JsonSerializer.Serialize(new { auth_typ = "aad", claims, name_typ = "name", role_typ = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role" });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
