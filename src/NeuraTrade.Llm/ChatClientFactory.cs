using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Azure.AI.OpenAI;
using Azure.Identity;
using Microsoft.Extensions.AI;
using NeuraTrade.Core.Brain;
using OpenAI;

namespace NeuraTrade.Llm;

/// <summary>
/// The vendor SDK client for <c>AI:Provider</c>, as an <see cref="IChatClient"/>. Every SDK's own retries are
/// off: <see cref="ResilientChatClient"/> is the only retry layer.
/// </summary>
public static class ChatClientFactory
{
    private const string NoKey = "not-needed";

    public static (IChatClient Client, LlmEndpoint Endpoint) Create(BrainOptions options)
    {
        var provider = LlmProviders.Normalize(options.Provider) ?? throw new InvalidOperationException($"unknown AI:Provider '{options.Provider}'");
        var model = options.Model ?? throw new InvalidOperationException("AI:Model is required");
        var networkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds * 2);
        switch (provider)
        {
            case LlmProviders.OpenAI:
            case LlmProviders.OpenAICompatible:
            {
                var clientOptions = new OpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0), NetworkTimeout = networkTimeout };
                if (!string.IsNullOrWhiteSpace(options.Endpoint))
                {
                    clientOptions.Endpoint = new Uri(options.Endpoint);
                }

                var key = string.IsNullOrWhiteSpace(options.ApiKey) ? NoKey : options.ApiKey;
                var client = new OpenAIClient(new ApiKeyCredential(key), clientOptions).GetChatClient(model).AsIChatClient();
                return (client, new LlmEndpoint(provider, model, SupportsJsonSchema: provider == LlmProviders.OpenAI));
            }

            case LlmProviders.AzureOpenAI:
            {
                var endpoint = new Uri(options.Endpoint ?? throw new InvalidOperationException("AI:Endpoint is required for azure-openai"));
                var clientOptions = new AzureOpenAIClientOptions { RetryPolicy = new ClientRetryPolicy(maxRetries: 0), NetworkTimeout = networkTimeout };
                var azure = string.IsNullOrWhiteSpace(options.ApiKey)
                    ? new AzureOpenAIClient(endpoint, new DefaultAzureCredential(), clientOptions)
                    : new AzureOpenAIClient(endpoint, new Azure.AzureKeyCredential(options.ApiKey), clientOptions);
                return (azure.GetChatClient(model).AsIChatClient(), new LlmEndpoint(provider, model, SupportsJsonSchema: true));
            }

            case LlmProviders.Anthropic:
            {
                var clientOptions = new Anthropic.Core.ClientOptions { ApiKey = options.ApiKey, MaxRetries = 0, Timeout = networkTimeout };
                if (!string.IsNullOrWhiteSpace(options.Endpoint))
                {
                    // The SDK appends /v1 itself.
                    clientOptions.BaseUrl = options.Endpoint.TrimEnd('/').EndsWith("/v1", StringComparison.Ordinal) ? options.Endpoint.TrimEnd('/')[..^3] : options.Endpoint;
                }

                var client = new AnthropicClient(clientOptions).AsIChatClient(model, options.MaxTokens);
                return (client, new LlmEndpoint(provider, model, SupportsJsonSchema: false));
            }

            default:
                throw new InvalidOperationException($"AI:Provider '{options.Provider}' has no chat client");
        }
    }
}
