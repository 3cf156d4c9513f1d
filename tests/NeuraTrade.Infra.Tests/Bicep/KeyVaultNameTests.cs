using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static NeuraTrade.Infra.Tests.Bicep.CompiledTemplate;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// The Key Vault is purge-protected, so a deleted vault keeps its name for the retention; its name therefore
/// carries a suffix that lives in the azd environment: set by the preprovision hook when absent, kept across
/// provisions, cleared by the postdown hook. The hooks run here under /bin/sh against a stand-in azd.
/// </summary>
public sealed partial class KeyVaultNameTests
{
    private const string SuffixVariable = "AZURE_KEY_VAULT_NAME_SUFFIX";

    [Fact]
    public async Task Key_vault_is_purge_protected_by_default()
    {
        var template = await MainAsync();

        Assert.True((bool)template.Parameters["keyVaultPurgeProtection"]!["defaultValue"]!);
        Assert.Equal("[parameters('keyVaultPurgeProtection')]", template.ModuleArgument("key-vault", "enablePurgeProtection"));
        var properties = Single(template.Module("key-vault"), "Microsoft.KeyVault/vaults")["properties"]!;
        Assert.Equal("[if(parameters('enablePurgeProtection'), true(), null())]", Text(properties["enablePurgeProtection"]));
        Assert.True((bool)properties["enableSoftDelete"]!);

        Assert.Equal("${AZURE_KEY_VAULT_PURGE_PROTECTION=true}", ParameterFileValue("keyVaultPurgeProtection"));
    }

    [Fact]
    public async Task Key_vault_name_comes_from_the_suffix_that_the_azd_environment_keeps()
    {
        var template = await MainAsync();

        // Required (no default, never empty): a deployment without a suffix would reuse one name for every life of the environment.
        var suffix = template.Parameters["keyVaultNameSuffix"]!;
        Assert.Equal("string", Text(suffix["type"]));
        Assert.Null(suffix["defaultValue"]);
        Assert.Equal(1, (int)suffix["minLength"]!);
        Assert.Equal(
            "[format('kv-nt-{0}', uniqueString(subscription().id, parameters('environmentName'), parameters('location'), parameters('keyVaultNameSuffix')))]",
            Text(template.Variables["names"]!["keyVault"]));
        Assert.Equal("[variables('names').keyVault]", template.ModuleArgument("key-vault", "name"));
        Assert.Equal("[variables('names').keyVault]", template.ModuleArgument("access", "keyVaultName"));

        // Mapped from the azd environment with no default, so the hook's value (or a prompt) is what names the vault.
        Assert.Equal($"${{{SuffixVariable}}}", ParameterFileValue("keyVaultNameSuffix"));
    }

    [Fact]
    public void Azure_yaml_runs_the_suffix_hooks_before_provision_and_after_down()
    {
        var lines = File.ReadAllLines(Repository.File("azure.yaml")).Select(l => l.TrimEnd()).ToList();
        var start = lines.IndexOf("hooks:");
        Assert.True(start >= 0, "azure.yaml has no top-level hooks:");
        var block = lines.Skip(start + 1).TakeWhile(l => l.Length == 0 || l.StartsWith(' ')).Where(l => l.Length > 0).Take(14);

        Assert.Equal(
            [
                "  preprovision:",
                "    posix:",
                "      shell: sh",
                "      run: ./infra/hooks/preprovision.sh",
                "    windows:",
                "      shell: pwsh",
                "      run: ./infra/hooks/preprovision.ps1",
                "  postdown:",
                "    posix:",
                "      shell: sh",
                "      run: ./infra/hooks/postdown.sh",
                "    windows:",
                "      shell: pwsh",
                "      run: ./infra/hooks/postdown.ps1",
            ],
            block);

        foreach (var script in new[] { "preprovision.sh", "preprovision.ps1", "postdown.sh", "postdown.ps1" })
        {
            var text = File.ReadAllText(Repository.File("infra", "hooks", script));
            Assert.Contains($"azd env set {SuffixVariable}", text, StringComparison.Ordinal);
            Assert.DoesNotContain("\r\n", text, StringComparison.Ordinal);
        }

        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(Repository.File("infra", "hooks", "preprovision.sh")), StringComparison.Ordinal);
        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(Repository.File("infra", "hooks", "postdown.sh")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Suffix_is_set_once_kept_across_provisions_and_new_after_down()
    {
        using var azd = new FakeCommandLine("azd");
        var environment = new Dictionary<string, string> { ["AZURE_ENV_NAME"] = "neuratrade-dev" };

        // First `azd up`: no suffix yet, so the hook makes one and stores it in the environment azd runs for.
        var first = await azd.RunHookAsync("preprovision.sh", environment);
        Assert.Equal(0, first.ExitCode);
        var set = Assert.Single(first.Calls);
        Assert.Equal(["env", "set", SuffixVariable, set[3], "--environment", "neuratrade-dev"], set);
        Assert.Matches(HexSuffix(), set[3]);
        FakeCommandLine.ApplyEnvSet(set, environment);

        // Every later `azd provision`/`azd up` keeps it: azd hands the hook the stored value, and the hook leaves it alone.
        for (var i = 0; i < 2; i++)
        {
            var again = await azd.RunHookAsync("preprovision.sh", environment);
            Assert.Equal(0, again.ExitCode);
            Assert.Empty(again.Calls);
            Assert.Equal(set[3], environment[SuffixVariable]);
        }

        // `azd down`: the postdown hook clears it ...
        var down = await azd.RunHookAsync("postdown.sh", environment);
        Assert.Equal(0, down.ExitCode);
        var cleared = Assert.Single(down.Calls);
        Assert.Equal(["env", "set", SuffixVariable, string.Empty, "--environment", "neuratrade-dev"], cleared);
        FakeCommandLine.ApplyEnvSet(cleared, environment);
        Assert.Equal(string.Empty, environment[SuffixVariable]);

        // ... so the next `azd up` names a new vault.
        var next = await azd.RunHookAsync("preprovision.sh", environment);
        Assert.Equal(0, next.ExitCode);
        var renewed = Assert.Single(next.Calls);
        Assert.Matches(HexSuffix(), renewed[3]);
        Assert.NotEqual(set[3], renewed[3]);
    }

    [Fact]
    public async Task Hooks_without_an_environment_name_use_azds_default_environment_and_fail_when_azd_fails()
    {
        using var azd = new FakeCommandLine("azd");

        var preprovision = await azd.RunHookAsync("preprovision.sh", new Dictionary<string, string>());
        Assert.Equal(0, preprovision.ExitCode);
        Assert.Equal(4, Assert.Single(preprovision.Calls).Count);

        var postdown = await azd.RunHookAsync("postdown.sh", new Dictionary<string, string>());
        Assert.Equal(0, postdown.ExitCode);
        Assert.Equal(["env", "set", SuffixVariable, string.Empty], Assert.Single(postdown.Calls));

        // If the suffix cannot be stored, provisioning must stop rather than go on without one.
        azd.ExitCode = 3;
        var failed = await azd.RunHookAsync("preprovision.sh", new Dictionary<string, string> { ["AZURE_ENV_NAME"] = "neuratrade-dev" });
        Assert.NotEqual(0, failed.ExitCode);
        Assert.DoesNotContain("(new)", failed.Output, StringComparison.Ordinal);
    }

    private static string ParameterFileValue(string parameter) =>
        Text(JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "main.parameters.json")))!["parameters"]![parameter]?["value"]);

    [GeneratedRegex("^[0-9a-f]{8}$")]
    private static partial Regex HexSuffix();
}
