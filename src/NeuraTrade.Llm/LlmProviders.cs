namespace NeuraTrade.Llm;

/// <summary>Provider names as settings spell them (<c>AI:Provider</c>).</summary>
public static class LlmProviders
{
    public const string Rules = "rules";
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";
    public const string Anthropic = "anthropic";
    public const string OpenAICompatible = "openai-compatible";

    public static IReadOnlyList<string> Names { get; } = [Rules, OpenAI, AzureOpenAI, Anthropic, OpenAICompatible, "mlx", "ollama"];

    /// <summary>The canonical name, or null for an unknown provider. <c>mlx</c> and <c>ollama</c> are OpenAI-compatible servers.</summary>
    public static string? Normalize(string? provider) => provider?.Trim().ToLowerInvariant() switch
    {
        Rules => Rules,
        OpenAI => OpenAI,
        AzureOpenAI or "azure" or "azureopenai" => AzureOpenAI,
        Anthropic => Anthropic,
        OpenAICompatible or "mlx" or "ollama" => OpenAICompatible,
        _ => null,
    };
}
