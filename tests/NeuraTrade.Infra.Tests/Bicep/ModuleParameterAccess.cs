using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>
/// Every property a module reads from one of its parameters, <c>parameters('x').y</c> or <c>parameters('x')['y']</c>
/// (and deeper, <c>.y.z</c>), checked against the value its caller passes for <c>x</c>, in compiled ARM JSON.
/// An untyped <c>object</c> parameter lets Bicep compile and lint a module that reads a property its caller never
/// sets; ARM then rejects the deployment. Here the caller's argument is followed through
/// <c>[variables('v')]</c> and <c>[parameters('p')]</c> (into the caller's own caller, or the parameter's default)
/// to an object literal whose keys are compared; an argument that cannot be followed that way is reported too,
/// since nothing could then vouch for the property.
/// </summary>
internal static partial class ModuleParameterAccess
{
    /// <summary>One property read by a module: where (module path), what (the access as written) and, if wrong, why.</summary>
    public sealed record Access(string Module, string Expression, string? Problem)
    {
        public override string ToString() => Problem is null ? $"{Module}: {Expression}" : $"{Module}: {Expression}: {Problem}";
    }

    /// <summary>Every property access in every module (nested modules included) of a compiled template.</summary>
    public static IReadOnlyList<Access> Check(JsonObject template)
    {
        var found = new List<Access>();
        CheckModules(new Scope(template, Arguments: null, Caller: null, Path: string.Empty), found);
        return found;
    }

    private sealed record Scope(JsonObject Template, JsonObject? Arguments, Scope? Caller, string Path);

    private static void CheckModules(Scope scope, List<Access> found)
    {
        foreach (var deployment in CompiledTemplate.Resources(scope.Template).Where(r => CompiledTemplate.Type(r) == "Microsoft.Resources/deployments"))
        {
            var properties = deployment["properties"]!.AsObject();
            var path = scope.Path.Length == 0 ? CompiledTemplate.Text(deployment["name"]) : $"{scope.Path}/{CompiledTemplate.Text(deployment["name"])}";
            if (properties["template"] is not JsonObject inner)
            {
                found.Add(new Access(path, "(module)", "no inline template (templateLink?): its parameter reads cannot be checked"));
                continue;
            }

            if (CompiledTemplate.Text(properties["expressionEvaluationOptions"]?["scope"]) != "inner")
            {
                found.Add(new Access(path, "(module)", "expressions are not evaluated in the inner scope, so parameters() does not mean the module's own"));
                continue;
            }

            var moduleScope = new Scope(inner, properties["parameters"] as JsonObject ?? [], scope, path);
            foreach (var expression in Expressions(inner))
            {
                foreach (Match access in ParameterAccess().Matches(expression))
                {
                    var segments = Segments(access.Groups["chain"].Value);
                    var parameter = Unquote(access.Groups["name"].Value);
                    found.Add(new Access(path, access.Value, Verify(moduleScope, parameter, segments)));
                }
            }

            CheckModules(moduleScope, found);
        }
    }

    /// <summary>Null when every property in the chain is present in what reaches the parameter; otherwise why not.</summary>
    private static string? Verify(Scope module, string parameter, IReadOnlyList<string> segments)
    {
        var current = ParameterValue(module, parameter, out var where);
        var path = parameter;
        foreach (var segment in segments)
        {
            if (current.Value is not JsonObject obj)
            {
                return $"'{path}' is {where}, which is not an object literal this check can read";
            }

            // ARM looks properties up without regard to case.
            var property = obj.FirstOrDefault(p => string.Equals(p.Key, segment, StringComparison.OrdinalIgnoreCase));
            if (property.Key is null)
            {
                return $"'{path}' ({where}) has no property '{segment}'; it has: {string.Join(", ", obj.Select(p => p.Key).Order(StringComparer.Ordinal))}";
            }

            path = $"{path}.{segment}";
            current = Resolve(property.Value, current.Scope, out where);
        }

        return null;
    }

    private readonly record struct Resolved(JsonNode? Value, Scope Scope);

    /// <summary>The value a module's parameter gets: its caller's argument, else its own default.</summary>
    private static Resolved ParameterValue(Scope scope, string parameter, out string where)
    {
        if (scope.Arguments?[parameter] is JsonObject argument)
        {
            if (!argument.ContainsKey("value"))
            {
                where = $"passed by {Describe(scope.Caller!)} as {CompiledTemplate.Text(argument)}";
                return new Resolved(null, scope.Caller!);
            }

            return Resolve(argument["value"], scope.Caller!, out where);
        }

        if (scope.Template["parameters"]?[parameter] is JsonObject declared && declared.ContainsKey("defaultValue"))
        {
            return Resolve(declared["defaultValue"], scope, out where);
        }

        where = scope.Arguments is null ? $"parameter '{parameter}' of {Describe(scope)}, given at deployment time" : $"not passed by {Describe(scope.Caller!)} and without a default";
        return new Resolved(null, scope);
    }

    /// <summary>Follows [variables('v')] and [parameters('p')] to the literal they stand for.</summary>
    private static Resolved Resolve(JsonNode? value, Scope scope, out string where)
    {
        for (var hops = 0; hops < 32; hops++)
        {
            if (value is JsonObject)
            {
                where = $"an object literal in {Describe(scope)}";
                return new Resolved(value, scope);
            }

            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
            if (text is not null && VariableReference().Match(text) is { Success: true } variable)
            {
                var name = Unquote(variable.Groups["name"].Value);
                if (scope.Template["variables"]?[name] is not { } definition)
                {
                    where = $"{text} in {Describe(scope)}, which declares no such variable";
                    return new Resolved(null, scope);
                }

                value = definition;
                continue;
            }

            if (text is not null && ParameterReference().Match(text) is { Success: true } parameter)
            {
                return ParameterValue(scope, Unquote(parameter.Groups["name"].Value), out where);
            }

            where = $"{CompiledTemplate.Text(value)} in {Describe(scope)}";
            return new Resolved(value, scope);
        }

        throw new InvalidOperationException($"Variables in {Describe(scope)} refer to each other in a loop.");
    }

    private static string Describe(Scope scope) => scope.Path.Length == 0 ? "the main template" : $"module '{scope.Path}'";

    /// <summary>Every ARM expression in a template, in values and property names, except inside nested module templates (checked in their own scope).</summary>
    private static IEnumerable<string> Expressions(JsonObject template)
    {
        var pending = new Stack<JsonNode?>();
        pending.Push(template);
        while (pending.TryPop(out var node))
        {
            switch (node)
            {
                case JsonObject obj:
                    var nestedDeployment = CompiledTemplate.Type(obj) == "Microsoft.Resources/deployments";
                    foreach (var (key, child) in obj)
                    {
                        if (IsExpression(key))
                        {
                            yield return key;
                        }

                        if (nestedDeployment && key == "properties" && child is JsonObject properties)
                        {
                            // The arguments are evaluated here, in the caller; the nested template is not.
                            pending.Push(properties["parameters"]);
                            continue;
                        }

                        pending.Push(child);
                    }

                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        pending.Push(item);
                    }

                    break;
                case JsonValue value when value.TryGetValue<string>(out var text) && IsExpression(text):
                    yield return text;
                    break;
            }
        }
    }

    private static bool IsExpression(string text) => text.StartsWith('[') && !text.StartsWith("[[", StringComparison.Ordinal) && text.EndsWith(']');

    private static List<string> Segments(string chain) =>
        ChainSegment().Matches(chain).Select(m => m.Groups["dot"].Success ? m.Groups["dot"].Value : Unquote(m.Groups["quoted"].Value)).ToList();

    private static string Unquote(string armString) => armString.Replace("''", "'", StringComparison.Ordinal);

    // parameters('x') followed by at least one .y or ['y'] (an index such as [0] or [copyIndex()] ends the chain).
    [GeneratedRegex(@"(?<![\w.])parameters\('(?<name>(?:[^']|'')+)'\)(?<chain>(?:\.[A-Za-z_$][\w$]*|\['(?:[^']|'')*'\])+)")]
    private static partial Regex ParameterAccess();

    [GeneratedRegex(@"\.(?<dot>[A-Za-z_$][\w$]*)|\['(?<quoted>(?:[^']|'')*)'\]")]
    private static partial Regex ChainSegment();

    [GeneratedRegex(@"^\[variables\('(?<name>(?:[^']|'')+)'\)\]$")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\[parameters\('(?<name>(?:[^']|'')+)'\)\]$")]
    private static partial Regex ParameterReference();
}
