using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace NeuraTrade.Functions.Settings;

/// <summary>
/// Puts the project's sections into the shape the options bind: every key under them, read from every configuration
/// source in priority order, is written once more on top under its PascalCase name (<c>AI:max_tokens</c> →
/// <c>AI:MaxTokens</c>), with durations as <c>00:00:10</c> and an alias under both its names. The keys that bind to
/// nothing come back, each with the reason and the closest known key, so the app can refuse to start.
/// </summary>
public static class SeedSpellings
{
    /// <summary>Adds the layer to <paramref name="configuration"/> (a configuration manager or root) and returns the unknown keys' messages.</summary>
    public static IReadOnlyList<string> Apply(IConfigurationBuilder configuration)
    {
        var root = configuration as IConfigurationRoot
            ?? throw new ArgumentException("The configuration must be readable while it is built (a ConfigurationManager).", nameof(configuration));
        var (values, unknown) = Read(root);
        configuration.Add(new SeedSpellingsSource { InitialData = values });
        return unknown;
    }

    /// <summary>For a configuration built from a <see cref="ConfigurationBuilder"/>: the sources, then the layer over them.</summary>
    public static (IConfigurationRoot Configuration, IReadOnlyList<string> Unknown) Build(IConfigurationBuilder builder)
    {
        var (values, unknown) = Read(builder.Build());
        builder.Add(new SeedSpellingsSource { InitialData = values });
        return (builder.Build(), unknown);
    }

    /// <summary>The messages for the keys of the project's sections in <paramref name="keys"/> that bind to nothing.</summary>
    public static IReadOnlyList<string> UnknownKeys(IEnumerable<string> keys) =>
        keys.Where(k => SettingsSchema.IsProjectSection(k.Split(':')[0]))
            .Select(SettingsSchema.Resolve)
            .Where(k => k.Error is not null)
            .Select(k => k.Error!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static (Dictionary<string, string?> Values, List<string> Unknown) Read(IConfigurationRoot root)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        foreach (var provider in root.Providers.Where(p => p is not SeedSpellingsProvider))
        {
            foreach (var section in provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase).Where(SettingsSchema.IsProjectSection))
            {
                foreach (var (key, value) in Leaves(provider, section))
                {
                    var resolved = SettingsSchema.Resolve(key);
                    if (resolved.Canonical is null)
                    {
                        unknown.Add(resolved.Error!);
                        continue;
                    }

                    var written = resolved.IsDuration ? Durations.Normalize(value) : value;
                    values[resolved.Canonical] = written;
                    foreach (var alias in SettingsSchema.Aliases.Where(a => string.Equals(a.Value, resolved.Canonical, StringComparison.OrdinalIgnoreCase)))
                    {
                        values[alias.Key] = written;
                    }
                }
            }
        }

        return (values, unknown.Distinct(StringComparer.Ordinal).ToList());
    }

    private static IEnumerable<(string Key, string? Value)> Leaves(IConfigurationProvider provider, string path)
    {
        if (provider.TryGet(path, out var value))
        {
            yield return (path, value);
        }

        foreach (var child in provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            foreach (var leaf in Leaves(provider, $"{path}:{child}"))
            {
                yield return leaf;
            }
        }
    }

    private sealed class SeedSpellingsSource : MemoryConfigurationSource, IConfigurationSource
    {
        IConfigurationProvider IConfigurationSource.Build(IConfigurationBuilder builder) => new SeedSpellingsProvider(this);
    }

    private sealed class SeedSpellingsProvider(MemoryConfigurationSource source) : MemoryConfigurationProvider(source);
}
