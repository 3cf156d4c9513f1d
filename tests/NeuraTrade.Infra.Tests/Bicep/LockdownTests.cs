using System.Text.Json.Nodes;
using static NeuraTrade.Infra.Tests.Bicep.CompiledTemplate;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>Locked down: logs to Log Analytics, storage soft delete and optional IP restrictions, read from the compiled template.</summary>
public sealed class LockdownTests
{
    private const string DiagnosticSettings = "Microsoft.Insights/diagnosticSettings";
    private const string WorkspaceArgument = "[reference('monitoring').outputs.logAnalyticsWorkspaceId.value]";

    [Fact]
    public async Task Monitoring_outputs_the_id_of_the_workspace_it_creates()
    {
        var monitoring = (await MainAsync()).Module("monitoring");

        Single(monitoring, "Microsoft.OperationalInsights/workspaces");
        Assert.Equal(
            "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('logAnalyticsName'))]",
            Text(monitoring["outputs"]!["logAnalyticsWorkspaceId"]!["value"]));
    }

    [Fact]
    public async Task Key_vault_sends_its_audit_events_to_log_analytics()
    {
        var template = await MainAsync();
        var vault = template.Module("key-vault");

        var setting = Single(vault, DiagnosticSettings);
        Assert.Equal("[resourceId('Microsoft.KeyVault/vaults', parameters('name'))]", Text(setting["scope"]));
        Assert.Equal("[parameters('logAnalyticsWorkspaceId')]", Text(setting["properties"]!["workspaceId"]));
        var log = Assert.Single(setting["properties"]!["logs"]!.AsArray())!;
        Assert.Equal("audit", Text(log["categoryGroup"]));
        Assert.True((bool)log["enabled"]!);
        Assert.Equal(WorkspaceArgument, template.ModuleArgument("key-vault", "logAnalyticsWorkspaceId"));
    }

    [Fact]
    public async Task Function_app_sends_function_app_logs_to_log_analytics()
    {
        var template = await MainAsync();
        var app = template.Module("function-app");

        var setting = Single(app, DiagnosticSettings);
        Assert.Equal("[resourceId('Microsoft.Web/sites', parameters('name'))]", Text(setting["scope"]));
        Assert.Equal("[parameters('logAnalyticsWorkspaceId')]", Text(setting["properties"]!["workspaceId"]));
        var log = Assert.Single(setting["properties"]!["logs"]!.AsArray())!;
        Assert.Equal("FunctionAppLogs", Text(log["category"]));
        Assert.True((bool)log["enabled"]!);
        Assert.Equal(WorkspaceArgument, template.ModuleArgument("function-app", "logAnalyticsWorkspaceId"));
    }

    [Fact]
    public async Task Blobs_and_containers_are_soft_deleted_for_seven_days_by_default()
    {
        var template = await MainAsync();

        var parameter = template.Parameters["storageSoftDeleteRetentionDays"]!;
        Assert.Equal(7, (int)parameter["defaultValue"]!);
        Assert.Equal(1, (int)parameter["minValue"]!);
        Assert.Equal(365, (int)parameter["maxValue"]!);
        Assert.Equal("[parameters('storageSoftDeleteRetentionDays')]", template.ModuleArgument("storage", "softDeleteRetentionDays"));

        var blobService = Single(template.Module("storage"), "Microsoft.Storage/storageAccounts/blobServices")["properties"]!;
        foreach (var policy in new[] { "deleteRetentionPolicy", "containerDeleteRetentionPolicy" })
        {
            Assert.True((bool)blobService[policy]!["enabled"]!, policy);
            Assert.Equal("[parameters('softDeleteRetentionDays')]", Text(blobService[policy]!["days"]));
        }

        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${AZURE_STORAGE_SOFT_DELETE_RETENTION_DAYS=7}", Text(file["storageSoftDeleteRetentionDays"]!["value"]));
    }

    [Fact]
    public async Task Allowed_ip_ranges_default_to_none_and_reach_the_site_through_the_shared_function()
    {
        var template = await MainAsync();

        Assert.Equal("[]", Text(template.Parameters["allowedIpRanges"]!["defaultValue"]));
        Assert.Equal("[parameters('allowedIpRanges')]", template.ModuleArgument("function-app", "allowedIpRanges"));
        var app = template.Module("function-app");
        var site = Single(app, "Microsoft.Web/sites");
        Assert.Equal(
            "[__bicep.ipSecurityRestrictions(parameters('allowedIpRanges'))]",
            Text(site["properties"]!["siteConfig"]!["ipSecurityRestrictions"]));

        // What is evaluated below is what the function app's template carries.
        var evaluated = await BuildEvaluatorAsync();
        Assert.Equal(FunctionBody(evaluated), FunctionBody(app));

        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${AZURE_FUNCTION_ALLOWED_IP_RANGES=[]}", Text(file["allowedIpRanges"]!["value"]));
    }

    [Fact]
    public async Task No_allowed_ip_ranges_means_no_restriction()
    {
        var rules = await EvaluateRestrictionsAsync([]);

        Assert.Empty(rules);
    }

    [Fact]
    public async Task Two_allowed_ip_ranges_give_two_allow_rules_and_a_final_deny_for_everyone_else()
    {
        var rules = await EvaluateRestrictionsAsync(["203.0.113.0/24", "198.51.100.7/32"]);

        Assert.Equal(3, rules.Count);
        Assert.Equal(["Allow", "Allow", "Deny"], rules.Select(r => Text(r["action"])));
        Assert.Equal(["203.0.113.0/24", "198.51.100.7/32", "Any"], rules.Select(r => Text(r["ipAddress"])));
        var priorities = rules.Select(r => (int)r["priority"]!).ToList();
        Assert.Equal(priorities.Order(), priorities);
        Assert.Equal(int.MaxValue, priorities[^1]);
        Assert.Equal(rules.Count, rules.Select(r => Text(r["name"])).Distinct().Count());
    }

    private static string FunctionBody(JsonObject template) =>
        Text(template["functions"]!.AsArray().Single(n => Text(n!["namespace"]) == "__bicep")!["members"]!["ipSecurityRestrictions"]!["output"]!["value"]);

    // A local deployment (Bicep CLI local-deploy, evaluated by the ARM engine offline) of a template that only
    // imports infra/functions.bicep and outputs ipSecurityRestrictions(ranges).
    private static async Task<List<JsonObject>> EvaluateRestrictionsAsync(string[] ranges)
    {
        var directory = Evaluator();
        try
        {
            var values = string.Join(", ", ranges.Select(r => $"'{r}'"));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "evaluate.bicepparam"), $"using 'evaluate.bicep'\nparam ranges = [{values}]\n");

            var result = await BicepCli.RunAsync(directory.FullName, "local-deploy", "evaluate.bicepparam", "--format", "Json", "--no-restore");

            Assert.True(result.ExitCode == 0, result + result.StandardOutput);
            return JsonNode.Parse(result.StandardOutput)!["outputs"]!["rules"]!.AsArray().Select(r => r!.AsObject()).ToList();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<JsonObject> BuildEvaluatorAsync()
    {
        var directory = Evaluator();
        try
        {
            var result = await BicepCli.RunAsync(directory.FullName, "build", "evaluate.bicep", "--stdout", "--no-restore");
            Assert.True(result.ExitCode == 0, result.ToString());
            return JsonNode.Parse(result.StandardOutput)!.AsObject();
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static DirectoryInfo Evaluator()
    {
        var directory = Directory.CreateTempSubdirectory("neuratrade-ip-");
        var functions = Path.GetRelativePath(directory.FullName, Path.Combine(Repository.Infra, "functions.bicep")).Replace('\\', '/');
        File.WriteAllText(Path.Combine(directory.FullName, "bicepconfig.json"), """{ "experimentalFeaturesEnabled": { "localDeploy": true } }""");
        File.WriteAllText(
            Path.Combine(directory.FullName, "evaluate.bicep"),
            $"targetScope = 'local'\nimport {{ ipSecurityRestrictions }} from '{functions}'\nparam ranges string[]\noutput rules array = ipSecurityRestrictions(ranges)\n");
        return directory;
    }
}
