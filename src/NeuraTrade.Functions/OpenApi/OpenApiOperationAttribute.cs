namespace NeuraTrade.Functions.OpenApi;

/// <summary>
/// What <c>/api/openapi.json</c> says of one HTTP function beyond its trigger (route, methods and key level are read from
/// <c>[HttpTrigger]</c>): the body it reads, the body it answers, the problems it may answer. Every HTTP function must carry
/// one (the document refuses to build otherwise), so the document cannot leave a function out.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OpenApiOperationAttribute(string summary) : Attribute
{
    public string Summary { get; } = summary;

    /// <summary>The JSON body's type, if the function reads one.</summary>
    public Type? Request { get; set; }

    /// <summary>The body's fields that must be given (JSON names).</summary>
    public string[] RequestRequired { get; set; } = [];

    /// <summary>A request body as a client sends it.</summary>
    public string? RequestExample { get; set; }

    /// <summary>The JSON body of a success (200).</summary>
    public Type Response { get; set; } = typeof(object);

    /// <summary>Statuses other than 200 answered with the same body as a success (the health report's 503).</summary>
    public int[] SameBody { get; set; } = [];

    /// <summary>The problem statuses the function may answer besides 500, which every function may.</summary>
    public int[] Problems { get; set; } = [];

    /// <summary>Query parameters (all strings on the wire).</summary>
    public string[] Query { get; set; } = [];

    /// <summary>The success may also be CSV (<c>format=csv</c>).</summary>
    public bool Csv { get; set; }

    /// <summary>The success is an HTML page (text/html), not JSON.</summary>
    public bool Html { get; set; }
}
