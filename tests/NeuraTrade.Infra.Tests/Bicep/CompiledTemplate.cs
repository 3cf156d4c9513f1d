using System.Text.Json.Nodes;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>infra/main.bicep compiled to ARM JSON once per test run, with lookups into its modules.</summary>
internal sealed class CompiledTemplate
{
    private static readonly Lazy<Task<CompiledTemplate>> Main = new(BuildMainAsync);

    private CompiledTemplate(JsonObject root) => Root = root;

    public JsonObject Root { get; }

    public JsonObject Parameters => Root["parameters"]!.AsObject();

    public JsonObject Variables => Root["variables"]!.AsObject();

    public JsonObject Outputs => Root["outputs"]!.AsObject();

    public static Task<CompiledTemplate> MainAsync() => Main.Value;

    /// <summary>The module deployment (Microsoft.Resources/deployments) with this deployment name.</summary>
    public JsonObject ModuleDeployment(string name) =>
        Resources(Root).SingleOrDefault(r => Type(r) == "Microsoft.Resources/deployments" && (string?)r["name"] == name)
        ?? throw new InvalidOperationException($"No module deployment named '{name}' in main.bicep.");

    /// <summary>The inline template of a module.</summary>
    public JsonObject Module(string name) => ModuleDeployment(name)["properties"]!["template"]!.AsObject();

    /// <summary>The value main.bicep passes to a module parameter.</summary>
    public string ModuleArgument(string module, string parameter) =>
        ArgumentValue(ModuleDeployment(module)["properties"]!["parameters"]![parameter]);

    /// <summary>Every argument main.bicep passes to a module, as "module.parameter" and its expression.</summary>
    public IEnumerable<(string Argument, string Expression)> ModuleArguments() =>
        Resources(Root)
            .Where(r => Type(r) == "Microsoft.Resources/deployments")
            .SelectMany(d => d["properties"]!["parameters"]!.AsObject().Select(p => ($"{Text(d["name"])}.{p.Key}", ArgumentValue(p.Value))));

    /// <summary>
    /// A module argument's expression: the <c>value</c> of its object, or the whole argument when Bicep compiled a
    /// conditional into one expression that builds the object (<c>[if(c, createObject('value', a), createObject('value', b))]</c>).
    /// </summary>
    private static string ArgumentValue(JsonNode? argument) => argument is JsonObject o ? Text(o["value"]) : Text(argument);

    /// <summary>Resources of a template; symbolic-name templates (languageVersion 2.0) keep them in an object.</summary>
    public static IEnumerable<JsonObject> Resources(JsonObject template) =>
        template["resources"] switch
        {
            JsonObject byName => byName.Select(p => p.Value!.AsObject()),
            JsonArray list => list.Select(r => r!.AsObject()),
            _ => [],
        };

    public static IReadOnlyList<JsonObject> ResourcesOfType(JsonObject template, string type) =>
        Resources(template).Where(r => Type(r) == type && r["existing"] is null).ToList();

    public static JsonObject Single(JsonObject template, string type) =>
        ResourcesOfType(template, type) is [var only] ? only : throw new InvalidOperationException($"Expected one {type}, found {ResourcesOfType(template, type).Count}.");

    public static string? Type(JsonObject resource) => (string?)resource["type"];

    /// <summary>A string value as is; anything else as JSON without escaping quotes (ARM expressions are full of them).</summary>
    public static string Text(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(Unescaped),
    };

    private static readonly System.Text.Json.JsonSerializerOptions Unescaped = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Compiles one Bicep file to ARM JSON; any diagnostic fails.</summary>
    public static async Task<JsonObject> BuildAsync(string directory, string file)
    {
        var result = await BicepCli.RunAsync(directory, "build", file, "--stdout", "--no-restore");
        if (result.ExitCode != 0 || result.Diagnostics.Length > 0)
        {
            throw new InvalidOperationException($"bicep build {Path.Combine(directory, file)} failed or reported diagnostics:\n{result}");
        }

        return JsonNode.Parse(result.StandardOutput)!.AsObject();
    }

    private static async Task<CompiledTemplate> BuildMainAsync() => new(await BuildAsync(Repository.Infra, "main.bicep"));
}
