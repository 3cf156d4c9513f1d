using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>--config FILE</c> (repeatable): the seed's <c>config.yml</c> and its profile files as the seed writes them, over every
/// other source, later files over earlier ones. YAML mappings become sections (<c>scalping: max_positions: 3</c> →
/// <c>scalping:max_positions</c>), lists become indexed keys, and <c>${NAME}</c> is the environment variable NAME.
/// A <c>.json</c> file is read as JSON settings.
/// </summary>
internal static partial class ConfigFiles
{
    /// <summary>The <c>--config</c> option of every command that reads settings.</summary>
    public static System.CommandLine.Option<string[]> Option() => new("--config")
    {
        Description = "Settings file (the seed's config.yml shape, or JSON); repeat it to layer files, later ones win (--config config.yml --config conservative.yml).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static void Add(IConfigurationBuilder builder, IEnumerable<string> files, Func<string, string?>? environment = null)
    {
        foreach (var file in files)
        {
            var path = Path.GetFullPath(file);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"--config {file}: no such file", path);
            }

            if (string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase))
            {
                builder.AddJsonFile(path, optional: false);
            }
            else
            {
                builder.AddInMemoryCollection(ReadYaml(path, environment ?? Environment.GetEnvironmentVariable));
            }
        }
    }

    /// <summary>The settings of one YAML file, keys as written (the app's settings layer maps the seed's snake_case).</summary>
    internal static Dictionary<string, string?> ReadYaml(string path, Func<string, string?> environment)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new InvalidDataException($"--config {path}: not valid YAML at line {ex.Start.Line}: {ex.Message}", ex);
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var document in yaml.Documents)
        {
            Flatten(document.RootNode, null, values, path, environment);
        }

        return values;
    }

    private static void Flatten(YamlNode node, string? key, Dictionary<string, string?> values, string path, Func<string, string?> environment)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (name, child) in mapping.Children)
                {
                    var segment = ((YamlScalarNode)name).Value ?? string.Empty;
                    Flatten(child, key is null ? segment : $"{key}:{segment}", values, path, environment);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], $"{key}:{i}", values, path, environment);
                }

                break;
            case YamlScalarNode scalar when key is not null:
                values[key] = Expand(scalar.Value, key, path, environment);
                break;
            default:
                break;
        }
    }

    /// <summary>Replaces each <c>${NAME}</c>; an unset variable stops the start naming it, rather than binding an empty value.</summary>
    private static string? Expand(string? value, string key, string path, Func<string, string?> environment) =>
        value is null ? null : Reference().Replace(value, m => environment(m.Groups["name"].Value)
            ?? throw new InvalidOperationException($"--config {path}: {key} reads ${{{m.Groups["name"].Value}}}, but the environment variable {m.Groups["name"].Value} is not set."));

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}
