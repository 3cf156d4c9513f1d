using System.Reflection;

namespace NeuraTrade.Infra.Tests;

/// <summary>Paths baked in at build time (see the csproj), so the tests read only this repository and the NuGet cache.</summary>
internal static class Repository
{
    public static string Root { get; } = Metadata("RepositoryRoot");

    public static string Infra { get; } = Path.Combine(Root, "infra");

    /// <summary>The Bicep CLI inside the restored Azure.Bicep.CommandLine.linux-x64 package.</summary>
    public static string BicepPath { get; } = Metadata("BicepPath");

    public static string File(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Metadata(string key) =>
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing: build the test project with dotnet build.");
}
