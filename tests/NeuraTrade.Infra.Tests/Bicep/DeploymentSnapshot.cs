using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// What a deployment of infra/main.bicep with given parameters would create, worked out offline by the Bicep CLI's
/// <c>snapshot</c> command: conditions, loops and parameter expressions are evaluated (<c>environment()</c> stays
/// symbolic), so a variant behind a parameter can be checked on and off without Azure.
/// </summary>
internal sealed class DeploymentSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000a001";
    public const string TenantId = "00000000-0000-0000-0000-00000000b002";

    private static readonly ConcurrentDictionary<string, Lazy<Task<DeploymentSnapshot>>> Cache = new(StringComparer.Ordinal);

    private DeploymentSnapshot(IReadOnlyList<JsonObject> resources, JsonObject outputs)
    {
        Resources = resources;
        Outputs = outputs;
    }

    public IReadOnlyList<JsonObject> Resources { get; }

    /// <summary>Output values by name (expressions that need a deployed resource stay as expressions).</summary>
    public JsonObject Outputs { get; }

    /// <summary>The resources of one type (e.g. Microsoft.Network/privateEndpoints).</summary>
    public IReadOnlyList<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase)).ToList();

    public JsonObject Single(string type) =>
        OfType(type) is [var only] ? only : throw new InvalidOperationException($"Expected one {type}, found {OfType(type).Count}.");

    /// <summary>The function app's app settings by name.</summary>
    public IReadOnlyDictionary<string, string> AppSettings() =>
        Single("Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => CompiledTemplate.Text(s!["value"]), StringComparer.Ordinal);

    /// <summary>The snapshot for main.bicep's required parameters plus <paramref name="parameters"/> (Bicep literals), once per run.</summary>
    public static Task<DeploymentSnapshot> OfAsync(params (string Name, string Value)[] parameters)
    {
        var key = string.Join('\n', parameters.Select(p => $"{p.Name}={p.Value}"));
        return Cache.GetOrAdd(key, _ => new Lazy<Task<DeploymentSnapshot>>(() => TakeAsync(parameters))).Value;
    }

    private static async Task<DeploymentSnapshot> TakeAsync((string Name, string Value)[] parameters)
    {
        var directory = Directory.CreateTempSubdirectory("neuratrade-snapshot-");
        try
        {
            var main = Path.GetRelativePath(directory.FullName, Path.Combine(Repository.Infra, "main.bicep")).Replace('\\', '/');
            var lines = new List<string>
            {
                $"using '{main}'",
                "param environmentName = 'snap'",
                "param location = 'eastus2'",
                "param keyVaultNameSuffix = '0a1b2c3d'",
            };
            lines.AddRange(parameters.Select(p => $"param {p.Name} = {p.Value}"));
            await File.WriteAllLinesAsync(Path.Combine(directory.FullName, "main.bicepparam"), lines);

            var result = await BicepCli.RunAsync(
                directory.FullName,
                "snapshot", "main.bicepparam", "--mode", "overwrite",
                "--subscription-id", SubscriptionId, "--tenant-id", TenantId, "--location", "eastus2");
            var file = Path.Combine(directory.FullName, "main.snapshot.json");
            if (result.ExitCode != 0 || !File.Exists(file))
            {
                throw new InvalidOperationException($"bicep snapshot failed for {string.Join(", ", parameters.Select(p => p.Name))}:\n{result}\n{result.StandardOutput}");
            }

            var snapshot = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
            var diagnostics = snapshot["diagnostics"]?.AsArray() ?? [];
            if (diagnostics.Count > 0)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"bicep snapshot reported {diagnostics.Count} diagnostics: {diagnostics.ToJsonString()}"));
            }

            return new DeploymentSnapshot(
                snapshot["predictedResources"]!.AsArray().Select(r => r!.AsObject()).ToList(),
                snapshot["outputs"]?.AsObject() ?? []);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
