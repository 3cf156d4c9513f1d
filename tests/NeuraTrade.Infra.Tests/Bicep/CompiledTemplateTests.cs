using System.Text.Json.Nodes;
using static NeuraTrade.Infra.Tests.Bicep.CompiledTemplate;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>What `azd up` would create, read from the compiled ARM template of infra/main.bicep.</summary>
public sealed class CompiledTemplateTests
{
    [Fact]
    public async Task Compiled_template_creates_its_resource_group_and_tags_it_for_azd()
    {
        var template = await MainAsync();

        var group = Single(template.Root, "Microsoft.Resources/resourceGroups");
        Assert.Equal("[parameters('environmentName')]", Text(template.Variables["tags"]!["azd-env-name"]));
        Assert.Equal("[variables('tags')]", Text(group["tags"]));
        Assert.Equal(
            ["[format('private-endpoint-{0}', variables('privateEndpointTargets')[copyIndex()].groupId)]", "access", "function-app", "identity", "key-vault", "monitoring", "network", "storage"],
            ResourcesOfType(template.Root, "Microsoft.Resources/deployments").Select(d => Text(d["name"])).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Function_app_runs_on_linux_flex_consumption_with_dotnet_isolated_10()
    {
        var app = (await MainAsync()).Module("function-app");

        var plan = Single(app, "Microsoft.Web/serverfarms");
        Assert.Equal("FC1", Text(plan["sku"]!["name"]));
        Assert.Equal("FlexConsumption", Text(plan["sku"]!["tier"]));
        Assert.True((bool)plan["properties"]!["reserved"]!);

        var site = Single(app, "Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", Text(site["kind"]));
        Assert.Contains("Microsoft.Web/serverfarms", Text(site["properties"]!["serverFarmId"]), StringComparison.Ordinal);
        var runtime = site["properties"]!["functionAppConfig"]!["runtime"]!;
        Assert.Equal("dotnet-isolated", Text(runtime["name"]));
        Assert.Equal("10.0", Text(runtime["version"]));
        Assert.Contains("azd-service-name", Text(site["tags"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Function_app_scales_out_to_a_few_instances_by_default_and_can_be_held_to_one()
    {
        var template = await MainAsync();

        // Flex Consumption accepts 1-1000 (40 was the preview's floor); one timer-driven bot needs 1-3.
        var parameter = template.Parameters["maximumInstanceCount"]!;
        Assert.Equal(1, (int)parameter["minValue"]!);
        Assert.Equal(1000, (int)parameter["maxValue"]!);
        Assert.InRange((int)parameter["defaultValue"]!, 1, 3);

        var app = template.Module("function-app");
        Assert.Equal(1, (int)app["parameters"]!["maximumInstanceCount"]!["minValue"]!);
        Assert.Equal("[parameters('maximumInstanceCount')]", template.ModuleArgument("function-app", "maximumInstanceCount"));
        var scale = Single(app, "Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;
        Assert.Equal("[parameters('maximumInstanceCount')]", Text(scale["maximumInstanceCount"]));

        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!;
        Assert.Equal($"${{AZURE_FUNCTION_MAXIMUM_INSTANCE_COUNT={(int)parameter["defaultValue"]!}}}", Text(file["maximumInstanceCount"]!["value"]));
    }

    [Fact]
    public async Task Function_app_is_https_only_with_tls_1_2_and_no_basic_auth_publishing()
    {
        var app = (await MainAsync()).Module("function-app");

        var site = Single(app, "Microsoft.Web/sites");
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        Assert.Equal("1.2", Text(site["properties"]!["siteConfig"]!["minTlsVersion"]));
        Assert.Equal("1.2", Text(site["properties"]!["siteConfig"]!["scmMinTlsVersion"]));

        var policies = ResourcesOfType(app, "Microsoft.Web/sites/basicPublishingCredentialsPolicies");
        Assert.Equal(2, policies.Count);
        Assert.All(policies, p => Assert.False((bool)p["properties"]!["allow"]!));
    }

    [Fact]
    public async Task Function_app_runs_as_the_user_assigned_identity_and_deploys_with_it()
    {
        var template = await MainAsync();
        var site = Single(template.Module("function-app"), "Microsoft.Web/sites");

        Assert.Equal("UserAssigned", Text(site["identity"]!["type"]));
        Assert.Equal("[format('{0}', parameters('identityId'))]", site["identity"]!["userAssignedIdentities"]!.AsObject().Single().Key);
        Assert.Equal("[parameters('identityId')]", Text(site["properties"]!["keyVaultReferenceIdentity"]));
        Assert.Equal("[reference('identity').outputs.id.value]", template.ModuleArgument("function-app", "identityId"));
        Assert.Equal("[reference('identity').outputs.clientId.value]", template.ModuleArgument("function-app", "identityClientId"));

        var storage = site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", Text(storage["type"]));
        Assert.Equal("UserAssignedIdentity", Text(storage["authentication"]!["type"]));
        Assert.Equal("[parameters('identityId')]", Text(storage["authentication"]!["userAssignedIdentityResourceId"]));
        Assert.Equal("[reference('storage').outputs.deploymentContainerUrl.value]", template.ModuleArgument("function-app", "deploymentContainerUrl"));
    }

    [Fact]
    public async Task Storage_account_refuses_shared_keys_public_blobs_and_plain_http()
    {
        var storage = Single((await MainAsync()).Module("storage"), "Microsoft.Storage/storageAccounts");

        var properties = storage["properties"]!;
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.True((bool)properties["defaultToOAuthAuthentication"]!);
        Assert.Equal("TLS1_2", Text(properties["minimumTlsVersion"]));
    }

    [Fact]
    public async Task Storage_account_holds_the_deployment_container_and_every_table_the_app_uses()
    {
        var template = await MainAsync();
        var storage = template.Module("storage");

        var container = Single(storage, "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", Text(container["properties"]!["publicAccess"]));
        Assert.Contains("parameters('deploymentContainerName')", Text(container["name"]), StringComparison.Ordinal);

        var tables = Single(storage, "Microsoft.Storage/storageAccounts/tableServices/tables");
        Assert.Equal("[length(parameters('tableNames'))]", Text(tables["copy"]!["count"]));
        Assert.Contains("parameters('tableNames')[copyIndex()]", Text(tables["name"]), StringComparison.Ordinal);
        Assert.Contains("parameters('tablePrefix')", template.ModuleArgument("storage", "tableNames"), StringComparison.Ordinal);

        var defaults = template.Parameters["tableNames"]!["defaultValue"]!.AsArray().Select(Text);
        Assert.Equal(NeuraTrade.Storage.TableNames.All.Order(StringComparer.Ordinal), defaults.Order(StringComparer.Ordinal));
    }

    /// <summary>The queue the app enqueues to and the trigger reads (one setting), and the poison queue the host moves to.</summary>
    [Fact]
    public async Task Storage_account_holds_the_fan_out_queue_and_its_poison_queue()
    {
        var template = await MainAsync();
        var storage = template.Module("storage");

        var queues = Single(storage, "Microsoft.Storage/storageAccounts/queueServices/queues");
        Assert.Equal("[length(parameters('queueNames'))]", Text(queues["copy"]!["count"]));
        Assert.Contains("parameters('queueNames')[copyIndex()]", Text(queues["name"]), StringComparison.Ordinal);
        Assert.Equal("""["[parameters('scalpingScanQueue')]","[format('{0}-poison', parameters('scalpingScanQueue'))]"]""", template.ModuleArgument("storage", "queueNames"));
        Assert.Equal("[parameters('scalpingScanQueue')]", Text(template.Variables["appConfiguration"]!["ScalpingScanQueue"]));
        Assert.Equal(NeuraTrade.Core.Scalping.ScalpingOptions.DefaultScanQueue, Text(template.Parameters["scalpingScanQueue"]!["defaultValue"]));
        Assert.Equal("q-poison", NeuraTrade.Storage.QueueSymbolScanQueue.PoisonName("q"));
    }

    [Fact]
    public async Task Host_storage_settings_use_the_managed_identity_and_no_account_key()
    {
        var template = await MainAsync();
        var host = template.Module("function-app")["variables"]!["hostSettings"]!.AsObject();

        Assert.Equal("managedidentity", Text(host["AzureWebJobsStorage__credential"]));
        Assert.Equal("[parameters('identityClientId')]", Text(host["AzureWebJobsStorage__clientId"]));
        Assert.Equal("[parameters('storageAccountName')]", Text(host["AzureWebJobsStorage__accountName"]));
        Assert.Equal("[parameters('tableServiceUri')]", Text(host["Storage__TableServiceUri"]));
        Assert.Equal("[reference('storage').outputs.tableEndpoint.value]", template.ModuleArgument("function-app", "tableServiceUri"));
        Assert.False(host.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage as a connection string would need an account key");

        var everything = Text(template.Root);
        Assert.DoesNotContain("listKeys", everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("AccountKey=", everything, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("InstrumentationKey", everything, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Every_app_setting_reaches_the_site()
    {
        var template = await MainAsync();
        var site = Single(template.Module("function-app"), "Microsoft.Web/sites");

        Assert.Equal("[variables('appSettings')]", template.ModuleArgument("function-app", "appSettings"));
        var appSettings = Text(template.Variables["appSettings"]);
        Assert.Contains("variables('appConfiguration')", appSettings, StringComparison.Ordinal);
        Assert.Contains("variables('keyVaultReferences')", appSettings, StringComparison.Ordinal);
        var siteSettings = Text(site["properties"]!["siteConfig"]!["appSettings"]);
        Assert.Contains("parameters('appSettings')", siteSettings, StringComparison.Ordinal);
        Assert.Contains("variables('hostSettings')", siteSettings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Application_insights_is_workspace_based_and_takes_telemetry_only_from_entra_identities()
    {
        var template = await MainAsync();
        var monitoring = template.Module("monitoring");

        Single(monitoring, "Microsoft.OperationalInsights/workspaces");
        var insights = Single(monitoring, "Microsoft.Insights/components");
        Assert.True((bool)insights["properties"]!["DisableLocalAuth"]!);
        Assert.Contains("Microsoft.OperationalInsights/workspaces", Text(insights["properties"]!["WorkspaceResourceId"]), StringComparison.Ordinal);

        var host = template.Module("function-app")["variables"]!["hostSettings"]!;
        Assert.Equal("[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]", Text(host["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]));
        Assert.Equal("[parameters('applicationInsightsConnectionString')]", Text(host["APPLICATIONINSIGHTS_CONNECTION_STRING"]));
    }

    [Fact]
    public async Task Key_vault_uses_rbac_authorization_and_creates_only_the_secrets_given()
    {
        var template = await MainAsync();
        var vault = template.Module("key-vault");

        var properties = Single(vault, "Microsoft.KeyVault/vaults")["properties"]!;
        Assert.True((bool)properties["enableRbacAuthorization"]!);
        Assert.True((bool)properties["enableSoftDelete"]!);
        Assert.Null(properties["accessPolicies"]);

        var secrets = ResourcesOfType(vault, "Microsoft.KeyVault/vaults/secrets");
        Assert.Equal(3, secrets.Count);
        Assert.All(secrets, s => Assert.StartsWith("[not(empty(parameters(", Text(s["condition"]), StringComparison.Ordinal));
        foreach (var secret in new[] { "aiApiKey", "exchangeApiKey", "exchangeApiSecret" })
        {
            Assert.Equal("securestring", Text(template.Parameters[secret]!["type"]));
            Assert.Equal(string.Empty, Text(template.Parameters[secret]!["defaultValue"]));
            Assert.Equal("securestring", Text(vault["parameters"]![secret]!["type"]));
        }
    }

    [Theory]
    [InlineData("AI__ApiKey", "aiApiKey", "ai-api-key")]
    [InlineData("Exchange__Binance__ApiKey", "exchangeApiKey", "exchange-api-key")]
    [InlineData("Exchange__Binance__ApiSecret", "exchangeApiSecret", "exchange-api-secret")]
    public async Task Api_keys_reach_the_app_only_as_key_vault_references(string setting, string parameter, string secretName)
    {
        var template = await MainAsync();

        var reference = Text(template.Variables["keyVaultReferences"]![setting]);
        Assert.Equal(
            $"[if(empty(parameters('{parameter}')), '', format('@Microsoft.KeyVault(VaultName={{0}};SecretName={{1}})', variables('names').keyVault, variables('keyVaultSecretNames').{setting}))]",
            reference);
        Assert.Equal(secretName, Text(template.Variables["keyVaultSecretNames"]![setting]));
        Assert.Equal("[variables('names').keyVault]", template.ModuleArgument("key-vault", "name"));
        Assert.Equal($"[parameters('{parameter}')]", template.ModuleArgument("key-vault", parameter));

        // The key's value is passed to the vault module only; elsewhere main.bicep only tests it for empty().
        var use = $"parameters('{parameter}')";
        Assert.Equal(
            [$"key-vault.{parameter}"],
            template.ModuleArguments().Where(a => a.Expression.Contains(use, StringComparison.Ordinal)).Select(a => a.Argument));
        var variableUses = template.Variables.Select(v => Text(v.Value)).Sum(v => v.Split(use).Length - 1);
        var emptyChecks = template.Variables.Select(v => Text(v.Value)).Sum(v => v.Split($"empty({use})").Length - 1);
        Assert.Equal(1, variableUses);
        Assert.Equal(1, emptyChecks);
    }

    public static TheoryData<string, string, string> RoleAssignments => new()
    {
        { "Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Microsoft.Storage/storageAccounts" },
        { "Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Microsoft.Storage/storageAccounts" },
        { "Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Microsoft.Storage/storageAccounts" },
        { "Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults" },
        { "Monitoring Metrics Publisher", "3913510d-42f4-4e42-8a64-420c390055eb", "Microsoft.Insights/components" },
    };

    [Theory]
    [MemberData(nameof(RoleAssignments))]
    public async Task Compiled_template_assigns_the_role_to_the_app_identity_on_its_resource(string role, string roleDefinitionId, string scopeType)
    {
        var template = await MainAsync();
        var access = template.Module("access");

        var assignment = Assert.Single(
            ResourcesOfType(access, "Microsoft.Authorization/roleAssignments"),
            a => Text(a["properties"]!["roleDefinitionId"]).Contains(roleDefinitionId, StringComparison.Ordinal));
        Assert.Equal($"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{roleDefinitionId}')]", Text(assignment["properties"]!["roleDefinitionId"]));
        Assert.StartsWith($"[resourceId('{scopeType}', ", Text(assignment["scope"]), StringComparison.Ordinal);
        Assert.Equal("ServicePrincipal", Text(assignment["properties"]!["principalType"]));
        Assert.True(AppIdentityPrincipal(template, assignment), $"{role} must be granted to the function app's identity");
    }

    [Fact]
    public async Task Compiled_template_assigns_table_data_contributor_to_the_app_identity()
    {
        var template = await MainAsync();
        var access = template.Module("access");

        var table = Assert.Single(
            ResourcesOfType(access, "Microsoft.Authorization/roleAssignments"),
            a => Text(a["properties"]!["roleDefinitionId"]).Contains("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", StringComparison.Ordinal));
        Assert.Equal("[resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))]", Text(table["scope"]));
        Assert.Equal("[variables('names').storage]", template.ModuleArgument("access", "storageAccountName"));
        Assert.Equal("[variables('names').storage]", template.ModuleArgument("storage", "name"));
        Assert.True(AppIdentityPrincipal(template, table));
    }

    [Fact]
    public async Task App_identity_holds_exactly_the_five_data_plane_roles()
    {
        var access = (await MainAsync()).Module("access");

        var granted = ResourcesOfType(access, "Microsoft.Authorization/roleAssignments")
            .Select(a => Text(a["properties"]!["roleDefinitionId"]))
            .Order(StringComparer.Ordinal);

        Assert.Equal(
            RoleAssignments.Select(row => $"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{row[1]}')]").Order(StringComparer.Ordinal),
            granted);
    }

    [Fact]
    public async Task Outputs_give_azd_and_the_operator_what_they_need_and_no_secret()
    {
        var template = await MainAsync();

        Assert.Equal(
            [
                "APPLICATIONINSIGHTS_NAME", "AZURE_FUNCTION_APP_NAME", "AZURE_FUNCTION_APP_URL", "AZURE_FUNCTION_IDENTITY_CLIENT_ID",
                "AZURE_KEY_VAULT_NAME", "AZURE_KEY_VAULT_URI", "AZURE_LOCATION", "AZURE_OUTBOUND_IP_ADDRESS", "AZURE_RESOURCE_GROUP", "AZURE_STORAGE_ACCOUNT_NAME",
                "AZURE_STORAGE_TABLE_ENDPOINT", "AZURE_TENANT_ID",
            ],
            template.Outputs.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.All(template.Outputs, o => Assert.Equal("string", Text(o.Value!["type"])));
        Assert.Equal("[format('https://{0}', reference('functionApp').outputs.defaultHostName.value)]", Text(template.Outputs["AZURE_FUNCTION_APP_URL"]!["value"]));
    }

    /// <summary>The assignment's principal is the identity named by the access module's identityName, which is the one main.bicep creates for the app.</summary>
    private static bool AppIdentityPrincipal(CompiledTemplate template, JsonObject assignment) =>
        Text(assignment["properties"]!["principalId"]) == "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName')), '2023-01-31').principalId]"
        && Text(assignment["name"]).Contains("resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))", StringComparison.Ordinal)
        && template.ModuleArgument("access", "identityName") == "[variables('names').identity]"
        && template.ModuleArgument("identity", "name") == "[variables('names').identity]";
}
