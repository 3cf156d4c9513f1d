using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NeuraTrade.TestSupport;

/// <summary>
/// An OpenAI chat-completions server on a free loopback port: each request body goes to <c>answer</c>, which gives the
/// assistant message and the finish reason; the server wraps them in the protocol's envelope with fixed usage.
/// </summary>
public sealed class LoopbackChatServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackChatServer(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The base URL to configure as <c>AI:Endpoint</c> (ends in <c>/v1</c>).</summary>
    public string Endpoint { get; }

    public static async Task<LoopbackChatServer> StartAsync(Func<JsonNode, (JsonObject Message, string FinishReason)> answer, int promptTokens, int completionTokens)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v1/chat/completions", async (HttpContext ctx) =>
        {
            var (message, finish) = answer(JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())!);
            return Results.Json(OpenAiWire.Completion(message, finish, promptTokens, completionTokens, "chatcmpl-loopback"));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackChatServer(app, address + "/v1");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
