using System.ClientModel;
using Anthropic;
using Azure.AI.OpenAI;
using Microsoft.Extensions.AI;
using OpenAI;

namespace NeuraTrade.Llm;

internal static class Probe
{
    public static IChatClient[] All()
    {
        var openai = new OpenAIClient(new ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = new Uri("http://127.0.0.1:1/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) }).GetChatClient("m").AsIChatClient();
        var azure = new AzureOpenAIClient(new Uri("http://127.0.0.1:1"), new Azure.AzureKeyCredential("k"), new AzureOpenAIClientOptions()).GetChatClient("d").AsIChatClient();
        var anthropic = new AnthropicClient(new Anthropic.Core.ClientOptions { ApiKey = "k", BaseUrl = "http://127.0.0.1:1", MaxRetries = 0 }).AsIChatClient("claude", 1024);
        return [openai, azure, anthropic];
    }
}
