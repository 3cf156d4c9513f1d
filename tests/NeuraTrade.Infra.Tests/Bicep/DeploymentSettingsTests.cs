using System.ComponentModel;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions.Settings;
using static NeuraTrade.Infra.Tests.Bicep.CompiledTemplate;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>The deployment's settings stay in step with the app's settings (README, local.settings.example.json) and with azd.</summary>
public sealed partial class DeploymentSettingsTests
{
    // Host plumbing, set by the template from the resources it creates (by identity), not app configuration.
    private static readonly string[] HostOnlyKeys = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage", "Storage__ConnectionString"];

    // Secrets: in Azure they come from Key Vault references (checked in CompiledTemplateTests), never from app configuration.
    private static readonly string[] SecretKeys = ["AI__ApiKey", "Exchange__Binance__ApiKey", "Exchange__Binance__ApiSecret"];

    // Set by the template from the deployment (the tenant deployed to, unless authTenantId names another): host settings of the function-app module.
    private static readonly string[] DeploymentKeys = ["Auth__TenantId"];

    // Left empty in Azure so Scalping__Profile decides them (ScalpingProfiles.Apply); explicit values would override every profile.
    private static readonly string[] ProfileGovernedKeys =
        ["Scalping__MaxPositions", "Scalping__MaxPositionSize", "Scalping__MaxDailyLoss", "Scalping__PositionHoldTime", "Scalping__MinNetEdgePercent"];

    [Fact]
    public async Task Every_setting_of_local_settings_example_is_an_app_setting_with_the_seed_default()
    {
        var template = await MainAsync();
        var configuration = template.Variables["appConfiguration"]!.AsObject();

        var hostSettings = template.Module("function-app")["variables"]!["hostSettings"]!.AsObject();
        Assert.All(DeploymentKeys, key => Assert.True(hostSettings.ContainsKey(key), $"{key} should be set by the function-app module"));
        foreach (var (key, seed) in LocalSettingsExample().Where(s => !HostOnlyKeys.Contains(s.Key) && !SecretKeys.Contains(s.Key) && !DeploymentKeys.Contains(s.Key)))
        {
            Assert.True(configuration.ContainsKey(key), $"{key} is in local.settings.example.json but not an app setting in main.bicep");
            var parameter = ParameterOf(Text(configuration[key]));
            var bicepDefault = Text(template.Parameters[parameter]!["defaultValue"]);
            if (ProfileGovernedKeys.Contains(key))
            {
                // Empty means the app's own default, which is the seed value under the default profile.
                Assert.Equal(string.Empty, bicepDefault);
                Assert.Equal(seed, AppDefault(key));
            }
            else
            {
                Assert.Equal(seed, bicepDefault);
            }
        }
    }

    [Fact]
    public async Task App_settings_are_named_as_the_app_reads_them()
    {
        var template = await MainAsync();
        var known = LocalSettingsExample().Select(s => s.Key).ToHashSet(StringComparer.Ordinal);

        Assert.All(template.Variables["appConfiguration"]!.AsObject(), s => Assert.Contains(s.Key, known));
        Assert.Equal("[parameters('scalpingScanSchedule')]", Text(template.Variables["appConfiguration"]!["ScalpingScanSchedule"]));
        Assert.False(template.Variables["appConfiguration"]!.AsObject().ContainsKey("Scalping__ScanSchedule"), "the timer reads the flat ScalpingScanSchedule");
    }

    /// <summary>
    /// A key under the app's sections that binds to nothing would stop the app at start (and, before, was silently
    /// ignored): every app setting of the template and of local.settings.example.json is one the app binds.
    /// </summary>
    [Fact]
    public async Task App_settings_and_local_settings_contain_only_keys_the_app_binds()
    {
        var template = await MainAsync();
        var appSettings = template.Variables["appConfiguration"]!.AsObject().Select(s => s.Key)
            .Concat(template.Module("function-app")["variables"]!["hostSettings"]!.AsObject().Select(s => s.Key));
        var keys = appSettings.Concat(LocalSettingsExample().Select(s => s.Key)).Select(k => k.Replace("__", ":", StringComparison.Ordinal)).ToList();

        Assert.Contains("Scalping:MaxPositions", keys);
        Assert.Empty(SeedSpellings.UnknownKeys(keys));
        Assert.Equal(["Scalping:MaxPositon is not a setting: did you mean Scalping:MaxPositions?"], SeedSpellings.UnknownKeys([.. keys, "Scalping:MaxPositon"]));
    }

    [Fact]
    public async Task Parameters_file_sets_every_parameter_from_the_azd_environment_with_the_template_defaults()
    {
        var template = await MainAsync();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]!.AsObject();
        var configuration = template.Variables["appConfiguration"]!.AsObject();

        foreach (var (name, entry) in file)
        {
            Assert.True(template.Parameters.ContainsKey(name), $"main.parameters.json sets '{name}', which main.bicep does not declare");
            var match = EnvironmentReference().Match(Text(entry!["value"]));
            Assert.True(match.Success, $"{name} should read an azd environment value, ${{NAME}} or ${{NAME=default}}");
            if (match.Groups["default"].Success)
            {
                Assert.Equal(Text(template.Parameters[name]!["defaultValue"]), match.Groups["default"].Value);
            }
        }

        // Each app setting is set with `azd env set <its app setting name>`.
        foreach (var (setting, value) in configuration)
        {
            var parameter = ParameterOf(Text(value));
            Assert.StartsWith($"${{{setting}=", Text(file[parameter]?["value"]), StringComparison.Ordinal);
        }

        Assert.Equal("${AZURE_ENV_NAME}", Text(file["environmentName"]!["value"]));
        Assert.Equal("${AZURE_LOCATION}", Text(file["location"]!["value"]));
        Assert.Equal("${AI__ApiKey=}", Text(file["aiApiKey"]!["value"]));
        Assert.Equal("${Exchange__Binance__ApiKey=}", Text(file["exchangeApiKey"]!["value"]));
        Assert.Equal("${Exchange__Binance__ApiSecret=}", Text(file["exchangeApiSecret"]!["value"]));

        var required = template.Parameters.Where(p => p.Value!["defaultValue"] is null).Select(p => p.Key);
        Assert.All(required, name => Assert.True(file.ContainsKey(name), $"required parameter {name} is not in main.parameters.json"));
    }

    [Fact]
    public async Task Azure_yaml_deploys_the_functions_project_to_the_app_tagged_api()
    {
        var yaml = File.ReadAllLines(Repository.File("azure.yaml")).Select(l => l.TrimEnd()).ToArray();

        Assert.Contains("services:", yaml);
        Assert.Contains("  api:", yaml);
        Assert.Contains("    project: ./src/NeuraTrade.Functions", yaml);
        Assert.Contains("    language: dotnet", yaml);
        Assert.Contains("    host: function", yaml);
        Assert.Contains("  provider: bicep", yaml);
        Assert.Contains("  path: infra", yaml);
        Assert.True(File.Exists(Repository.File("src", "NeuraTrade.Functions", "NeuraTrade.Functions.csproj")));
        Assert.Equal("api", (await MainAsync()).ModuleArgument("function-app", "serviceName"));
    }

    [Fact]
    public async Task The_settings_the_template_gives_the_app_select_table_storage_by_identity()
    {
        // The host settings exactly as the template names them, with stand-in values, fed to the app's composition.
        var host = (await MainAsync()).Module("function-app")["variables"]!["hostSettings"]!.AsObject();
        var settings = host.ToDictionary(s => s.Key, s => (string?)"unused", StringComparer.Ordinal);
        settings["AzureWebJobsStorage__accountName"] = "stneuratrade";
        settings["AzureWebJobsStorage__clientId"] = "11111111-2222-3333-4444-555555555555";
        settings["AZURE_CLIENT_ID"] = "11111111-2222-3333-4444-555555555555";
        settings["Storage__TableServiceUri"] = "https://stneuratrade.table.core.windows.net/";

        var target = Storage.StorageSettings.Target(settings);

        Assert.Null(target.Error);
        Assert.True(target.UsesIdentity);
        Assert.Equal(new Uri("https://stneuratrade.table.core.windows.net/"), target.ServiceUri);
        Assert.Equal("11111111-2222-3333-4444-555555555555", target.ManagedIdentityClientId);
    }

    private static string ParameterOf(string expression) =>
        ParameterReference().Match(expression) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"not a parameter: {expression}");

    private static IEnumerable<KeyValuePair<string, string>> LocalSettingsExample() =>
        JsonNode.Parse(File.ReadAllText(Repository.File("local.settings.example.json")))!["Values"]!.AsObject()
            .Select(v => KeyValuePair.Create(v.Key, Text(v.Value)));

    /// <summary>The app's default for a Scalping__ key, formatted as a setting.</summary>
    private static string AppDefault(string key)
    {
        var property = typeof(ScalpingOptions).GetProperty(key["Scalping__".Length..])!;
        var value = property.GetValue(new ScalpingOptions());
        return value switch
        {
            TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
            _ => TypeDescriptor.GetConverter(property.PropertyType).ConvertToInvariantString(value)!,
        };
    }

    [GeneratedRegex(@"^\[parameters\('([A-Za-z0-9]+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(=(?<default>[^}]*))?\}$")]
    private static partial Regex EnvironmentReference();
}
