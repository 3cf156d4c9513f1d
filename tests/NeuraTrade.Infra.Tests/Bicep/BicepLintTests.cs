using System.Text.Json.Nodes;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>CI's Bicep gate: every file compiles and lints with no diagnostic at all (warnings count as failures).</summary>
public sealed class BicepLintTests
{
    private static IEnumerable<string> BicepFiles(string infra) =>
        Directory.EnumerateFiles(infra, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [Fact]
    public async Task Every_bicep_file_lints_without_a_diagnostic()
    {
        Assert.True(BicepFiles(Repository.Infra).Count() >= 2, "infra/ should hold main.bicep and its modules");

        var result = await BicepCli.RunAsync(Repository.Infra, "lint", "--pattern", "**/*.bicep", "--no-restore");

        Assert.True(result.ExitCode == 0 && result.Diagnostics.Length == 0 && result.StandardOutput.Trim().Length == 0, result + result.StandardOutput);
    }

    [Fact]
    public async Task Main_template_compiles_without_a_diagnostic()
    {
        var template = await CompiledTemplate.MainAsync();

        Assert.Contains("subscriptionDeploymentTemplate", CompiledTemplate.Text(template.Root["$schema"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lint_fails_on_a_module_with_an_unused_parameter()
    {
        // The gate itself must be able to fail: a copy of infra/ with one flaw in a module.
        var copy = Directory.CreateTempSubdirectory("neuratrade-infra-");
        try
        {
            CopyDirectory(Repository.Infra, copy.FullName);
            await File.AppendAllTextAsync(Path.Combine(copy.FullName, "modules", "storage.bicep"), "\nparam notUsed string = 'x'\n");

            var result = await BicepCli.RunAsync(copy.FullName, "lint", "--pattern", "**/*.bicep", "--no-restore");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("no-unused-params", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void Linter_configuration_makes_the_rules_errors()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Infra, "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();

        Assert.True((bool)config["analyzers"]!["core"]!["enabled"]!);
        Assert.All(
            ["no-unused-params", "no-unused-vars", "outputs-should-not-contain-secrets", "secure-secrets-in-params", "no-hardcoded-env-urls", "use-secure-value-for-secure-inputs"],
            rule => Assert.Equal("error", (string?)rules[rule]?["level"]));
    }

    [Fact]
    public void Infra_uses_only_local_modules()
    {
        foreach (var file in BicepFiles(Repository.Infra))
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("'br/", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'br:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'ts:", text, StringComparison.Ordinal);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
