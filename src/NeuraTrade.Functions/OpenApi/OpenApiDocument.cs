using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Functions.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of every HTTP function, built from the functions' own declarations: paths, methods and key
/// levels from <c>[Function]</c>/<c>[HttpTrigger]</c>, bodies from <see cref="OpenApiOperationAttribute"/>, and schemas
/// exported from the types with the serializer options the API writes with (<see cref="ApiJson"/>), so names, enum
/// values and nullability are the wire's. Built once per process.
/// </summary>
public static partial class OpenApiDocument
{
    public const string ProblemSchema = "Problem";

    public const string KeyScheme = "functionKey";

    /// <summary>The embedded resource that holds the success examples.</summary>
    public const string ExamplesResource = "NeuraTrade.Functions.OpenApi.examples.json";

    /// <summary>
    /// The success examples, keyed <c>"post /v1/ai/decision"</c>: real answers of the functions, captured by the OpenAPI
    /// test (which also fails when one no longer has the shape of a fresh answer); embedded from <c>OpenApi/examples.json</c>.
    /// </summary>
    private static readonly Lazy<JsonObject> Examples = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream(ExamplesResource)
            ?? throw new InvalidOperationException($"{ExamplesResource} is not embedded");
        return JsonNode.Parse(stream)!.AsObject();
    });

    private static readonly Lazy<string> Built = new(() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>The document as served.</summary>
    public static string Json => Built.Value;

    public static JsonObject Build()
    {
        var schemas = new JsonObject { [ProblemSchema] = Problem() };
        var paths = new JsonObject();
        foreach (var (method, function, trigger) in HttpFunctions().OrderBy(f => f.Trigger.Route, StringComparer.Ordinal))
        {
            var operation = method.GetCustomAttribute<OpenApiOperationAttribute>()
                ?? throw new InvalidOperationException($"{function.Name} has no [OpenApiOperation]: describe it for /api/openapi.json.");
            var route = trigger.Route ?? function.Name;
            var item = paths[$"/{route}"] as JsonObject ?? new JsonObject();
            paths[$"/{route}"] = item;
            foreach (var verb in trigger.Methods ?? ["get", "post"])
            {
                item[verb.ToLowerInvariant()] = Operation(function.Name, verb.ToLowerInvariant(), route, trigger.AuthLevel, operation, schemas);
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "NeuraTrade API",
                ["version"] = "1",
                ["description"] = "The AI trading backend's HTTP functions. JSON is snake_case; every failure is an RFC 7807 problem document. "
                    + "Functions need a function key in the x-functions-key header unless their security is empty; with Auth:Mode=entra the trading actions also need an Entra ID bearer token.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/api" }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    [KeyScheme] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "x-functions-key" },
                },
            },
        };
    }

    /// <summary>Every <c>[Function]</c> method of this app with an <c>[HttpTrigger]</c> parameter.</summary>
    public static IReadOnlyList<(MethodInfo Method, FunctionAttribute Function, HttpTriggerAttribute Trigger)> HttpFunctions() =>
        typeof(OpenApiDocument).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>(), Trigger: m.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null)))
            .Where(x => x.Function is not null && x.Trigger is not null)
            .Select(x => (x.Method, x.Function!, x.Trigger!))
            .ToList();

    private static JsonObject Operation(string name, string verb, string route, AuthorizationLevel level, OpenApiOperationAttribute operation, JsonObject schemas)
    {
        var result = new JsonObject
        {
            ["operationId"] = name,
            ["summary"] = operation.Summary,
            ["security"] = level == AuthorizationLevel.Anonymous ? new JsonArray() : new JsonArray(new JsonObject { [KeyScheme] = new JsonArray() }),
        };

        var parameters = new JsonArray();
        foreach (Match match in RouteParameter().Matches(route))
        {
            parameters.Add(new JsonObject { ["name"] = match.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        foreach (var query in operation.Query)
        {
            parameters.Add(new JsonObject { ["name"] = query, ["in"] = "query", ["required"] = false, ["schema"] = new JsonObject { ["type"] = "string" } });
        }

        if (parameters.Count > 0)
        {
            result["parameters"] = parameters;
        }

        if (operation.Request is { } request)
        {
            var media = new JsonObject { ["schema"] = Reference(request, schemas, operation.RequestRequired) };
            if (operation.RequestExample is { } example)
            {
                media["example"] = JsonNode.Parse(example);
            }

            result["requestBody"] = new JsonObject { ["required"] = true, ["content"] = new JsonObject { ["application/json"] = media } };
        }

        var responses = new JsonObject();
        var success = operation.Html
            ? new JsonObject { ["text/html"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } }
            : new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Reference(operation.Response, schemas, null) } };
        if (operation.Csv)
        {
            success["text/csv"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } };
        }

        if (Examples.Value[$"{verb} /{route}"] is { } answer)
        {
            success["application/json"]!["example"] = answer.DeepClone();
        }

        responses["200"] = new JsonObject { ["description"] = "Success.", ["content"] = success };
        foreach (var status in operation.SameBody)
        {
            responses[Status(status)] = new JsonObject
            {
                ["description"] = "The same body as a success, reporting what failed.",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Reference(operation.Response, schemas, null) } },
            };
        }

        foreach (var status in operation.Problems.Append(500).Distinct().Order())
        {
            var response = new JsonObject
            {
                ["description"] = ProblemDescription(status),
                ["content"] = new JsonObject
                {
                    [ApiResults.ProblemContentType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{ProblemSchema}" } },
                },
            };
            if (status == 429)
            {
                response["headers"] = new JsonObject { ["Retry-After"] = new JsonObject { ["description"] = "Seconds until the client's bucket has a call again.", ["schema"] = new JsonObject { ["type"] = "integer" } } };
            }

            responses[Status(status)] = response;
        }

        result["responses"] = responses;
        return result;
    }

    private static string Status(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ProblemDescription(int status) => status switch
    {
        400 => "The request is not valid: errors name the field.",
        401 => "A key or token is missing or not valid.",
        403 => "The token lacks the trading role.",
        404 => "No such resource.",
        422 => "A configured symbol the exchange has no data for.",
        429 => "Too many calls from this client (RateLimits).",
        502 => "The exchange refused the request.",
        503 => "Temporarily unavailable; try again.",
        500 => "An unexpected fault, logged under trace_id; nothing internal is shown.",
        _ => "A problem.",
    };

    /// <summary>A <c>$ref</c> to the type's schema in components, adding it (and rewriting its inner references) when new.</summary>
    private static JsonObject Reference(Type type, JsonObject schemas, string[]? required)
    {
        var name = type.Name;
        if (!schemas.ContainsKey(name))
        {
            var schema = Export(type, required is null);
            if (required is not null && schema is JsonObject body)
            {
                body["required"] = new JsonArray(required.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
            }

            Rebase(schema, $"#/components/schemas/{name}");
            schemas[name] = schema;
        }

        return new JsonObject { ["$ref"] = $"#/components/schemas/{name}" };
    }

    /// <summary>
    /// The type's JSON Schema under the API's serializer options; for responses every property the serializer always
    /// writes is required (<paramref name="responses"/>), for requests none (the caller names them).
    /// </summary>
    private static JsonNode Export(Type type, bool responses)
    {
        var options = new JsonSerializerOptions(ApiJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver(), RespectNullableAnnotations = true };
        options.MakeReadOnly();
        return options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                if (responses && context.PropertyInfo is null && context.TypeInfo.Kind == JsonTypeInfoKind.Object && node is JsonObject schema && schema.ContainsKey("properties"))
                {
                    var always = context.TypeInfo.Properties.Where(p => p.ShouldSerialize is null && p.Get is not null).Select(p => (JsonNode?)JsonValue.Create(p.Name)).ToArray();
                    if (always.Length > 0)
                    {
                        schema["required"] = new JsonArray(always);
                    }
                }

                return node;
            },
        });
    }

    /// <summary>The exporter's references are relative to the type's own schema: make them point into components.</summary>
    private static void Rebase(JsonNode? node, string root)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["$ref"] is JsonValue reference && reference.GetValue<string>() is { } target && target.StartsWith('#'))
                {
                    obj["$ref"] = root + target[1..];
                }

                foreach (var (_, child) in obj.ToList())
                {
                    Rebase(child, root);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Rebase(child, root);
                }

                break;
        }
    }

    /// <summary>The RFC 7807 problem document every failure is (<see cref="ApiResults"/>).</summary>
    private static JsonObject Problem() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = "string" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["status"] = new JsonObject { ["type"] = "integer" },
            ["detail"] = new JsonObject { ["type"] = "string" },
            ["errors"] = new JsonObject
            {
                ["type"] = new JsonArray("object", "null"),
                ["description"] = "The fields at fault, each with its messages.",
                ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
            },
            ["trace_id"] = new JsonObject { ["type"] = "string", ["description"] = "On a 500: the id the failure was logged under." },
        },
        ["required"] = new JsonArray("type", "title", "status", "detail"),
        ["example"] = JsonNode.Parse("""{"type":"https://httpstatuses.io/400","title":"The request is not valid.","status":400,"detail":"'symbol' is required, e.g. \"BTC/USDT\"","errors":{"symbol":["'symbol' is required, e.g. \"BTC/USDT\""]}}"""),
    };

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteParameter();
}
