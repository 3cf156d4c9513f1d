using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// A small JSON Schema check over the keywords the API's OpenAPI document uses: <c>$ref</c> (a pointer into the document),
/// <c>type</c> (one or a list), <c>enum</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>,
/// <c>anyOf</c>/<c>oneOf</c> and <c>format: date-time</c>. Other keywords are not checked. Returns every violation with its path.
/// </summary>
internal sealed class SchemaCheck(JsonNode document)
{
    public IReadOnlyList<string> Validate(JsonNode? schema, JsonElement instance)
    {
        var errors = new List<string>();
        Check(schema, instance, "$", errors, 0);
        return errors;
    }

    private void Check(JsonNode? schema, JsonElement value, string path, List<string> errors, int depth)
    {
        if (depth > 64)
        {
            errors.Add($"{path}: schema nests too deep");
            return;
        }

        switch (schema)
        {
            case null:
                return;
            case JsonValue boolean when boolean.TryGetValue<bool>(out var allowed):
                if (!allowed)
                {
                    errors.Add($"{path}: no value is allowed here");
                }

                return;
            case not JsonObject:
                errors.Add($"{path}: the schema is neither an object nor a boolean");
                return;
        }

        var s = (JsonObject)schema;
        if (s["$ref"] is JsonValue reference)
        {
            Check(Resolve(reference.GetValue<string>()), value, path, errors, depth + 1);
        }

        if (s["type"] is { } type)
        {
            var types = type is JsonArray list ? list.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!types.Any(t => IsType(t, value)))
            {
                errors.Add($"{path}: {value.ValueKind} is not {string.Join(" or ", types)}");
                return;
            }
        }

        if (s["enum"] is JsonArray options && !options.Any(o => JsonNode.DeepEquals(o, JsonNode.Parse(value.GetRawText()))))
        {
            errors.Add($"{path}: {value.GetRawText()} is not one of {options.ToJsonString()}");
        }

        if (s["format"]?.GetValue<string>() == "date-time" && value.ValueKind == JsonValueKind.String
            && !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
        {
            errors.Add($"{path}: '{value.GetString()}' is not a date-time");
        }

        foreach (var keyword in new[] { "anyOf", "oneOf" })
        {
            if (s[keyword] is JsonArray alternatives)
            {
                var passing = alternatives.Count(a => Validate(a, value).Count == 0);
                if (keyword == "anyOf" ? passing == 0 : passing != 1)
                {
                    errors.Add($"{path}: {passing} of the {keyword} schemas match");
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = s["properties"] as JsonObject;
            if (s["required"] is JsonArray required)
            {
                foreach (var name in required.Select(r => r!.GetValue<string>()).Where(n => !value.TryGetProperty(n, out _)))
                {
                    errors.Add($"{path}: '{name}' is required");
                }
            }

            foreach (var property in value.EnumerateObject())
            {
                if (properties?.ContainsKey(property.Name) == true)
                {
                    Check(properties![property.Name], property.Value, $"{path}.{property.Name}", errors, depth + 1);
                }
                else if (s.ContainsKey("additionalProperties"))
                {
                    Check(s["additionalProperties"], property.Value, $"{path}.{property.Name}", errors, depth + 1);
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && s["items"] is { } items)
        {
            var i = 0;
            foreach (var element in value.EnumerateArray())
            {
                Check(items, element, $"{path}[{i++}]", errors, depth + 1);
            }
        }
    }

    private static bool IsType(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        _ => throw new NotSupportedException($"type '{type}' is not known to {nameof(SchemaCheck)}"),
    };

    /// <summary>A local reference (<c>#/components/schemas/X/properties/y</c>) into the document.</summary>
    private JsonNode? Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"only local references are checked, not '{reference}'");
        }

        var node = document;
        foreach (var raw in reference[2..].Split('/'))
        {
            var segment = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj[segment],
                JsonArray array => array[int.Parse(segment, CultureInfo.InvariantCulture)],
                _ => null,
            } ?? throw new InvalidOperationException($"'{reference}' points at nothing in the document");
        }

        return node;
    }
}
