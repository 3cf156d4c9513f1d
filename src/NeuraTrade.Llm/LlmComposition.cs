using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Tools;

namespace NeuraTrade.Llm;

/// <summary>
/// Registers the brain for <c>AI:Provider</c>: the rules brain, or an <see cref="LlmBrain"/> over the vendor
/// client wrapped as tool loop → token budget → resilience → SDK. Wrong or missing settings fail at start
/// with the key named.
/// </summary>
public static class LlmComposition
{
    public static IServiceCollection AddNeuraTradeBrain(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BrainOptions>()
            .Bind(configuration.GetSection(BrainOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => LlmProviders.Normalize(o.Provider) is not null, $"AI:Provider must be one of {string.Join(", ", LlmProviders.Names)}.")
            .Validate(o => IsRules(o) || !string.IsNullOrWhiteSpace(o.Model), "AI:Model is required for an LLM provider (the model id, or the deployment name for azure-openai).")
            .Validate(o => LlmProviders.Normalize(o.Provider) is not (LlmProviders.OpenAI or LlmProviders.Anthropic) || !string.IsNullOrWhiteSpace(o.ApiKey), "AI:ApiKey is required for openai and anthropic.")
            .Validate(o => LlmProviders.Normalize(o.Provider) is not (LlmProviders.AzureOpenAI or LlmProviders.OpenAICompatible) || IsAbsoluteUri(o.Endpoint), "AI:Endpoint must be an absolute URL for azure-openai and openai-compatible (e.g. http://localhost:11434/v1 for Ollama).")
            .Validate(o => string.IsNullOrWhiteSpace(o.Endpoint) || IsAbsoluteUri(o.Endpoint), "AI:Endpoint must be an absolute URL.")
            .Validate(o => !o.RiskReview || !IsRules(o), "AI:RiskReview needs an LLM provider (AI:Provider is rules).")
            .ValidateOnStart();

        services.AddSingleton<LlmCircuits>();
        services.AddSingleton(sp => WithArbitrageTools(sp.GetRequiredService<TradingToolbox>().CreateRegistry(), sp));
        services.AddSingleton<IToolCatalog>(sp => sp.GetRequiredService<ToolRegistry>());
        services.AddSingleton<TradingToolbox>();
        // The reviewer is keyed so that only EntryReview (and through it the EntryPipeline every entry takes) picks it up.
        services.AddSingleton(sp => new EntryReview(sp.GetRequiredService<IOptions<BrainOptions>>().Value.RiskReview ? sp.GetRequiredKeyedService<IRiskReviewer>(RiskReviewerKey) : null));
        services.AddSingleton<ITradingBrain>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BrainOptions>>().Value;
            if (IsRules(options))
            {
                var scalping = sp.GetRequiredService<IOptions<ScalpingOptions>>().Value;
                return new RulesBrain(scalping.Costs, HoldHorizon.Candles(scalping.PositionHoldTime, options.CandleTimeframe));
            }

            var time = WallTime(sp);
            var (vendor, endpoint) = ChatClientFactory.Create(options);
            var chat = BuildPipeline(vendor, options, time, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<LlmCircuits>().Register(LlmCircuits.Brain));
            return ActivatorUtilities.CreateInstance<LlmBrain>(sp, chat, endpoint, time);
        });
        services.AddKeyedSingleton<IRiskReviewer>(RiskReviewerKey, (sp, _) =>
        {
            var options = sp.GetRequiredService<IOptions<BrainOptions>>().Value;
            var time = WallTime(sp);
            var reviewOptions = Copy(options, string.IsNullOrWhiteSpace(options.RiskReviewModel) ? options.Model : options.RiskReviewModel);
            var (vendor, endpoint) = ChatClientFactory.Create(reviewOptions);
            var chat = BuildPipeline(vendor, reviewOptions, time, sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<LlmCircuits>().Register(LlmCircuits.RiskReview));
            return ActivatorUtilities.CreateInstance<LlmRiskReviewer>(sp, chat, endpoint, time);
        });
        return services;
    }

    /// <summary>
    /// The arbitrage tools join the registry when the host composes an <see cref="ArbitrageDesk"/> (they read its venues);
    /// without one, strategy <c>arbitrage</c> is offered no tools and decides from its prompt alone.
    /// </summary>
    public static ToolRegistry WithArbitrageTools(ToolRegistry registry, IServiceProvider sp) =>
        sp.GetService<ArbitrageDesk>() is { } desk ? new ArbitrageToolbox(desk).Register(registry) : registry;

    /// <summary>
    /// LLM calls run in real time whatever market is traded: timeouts, retries, the circuit breaker, latency and the
    /// bill's day (real money) are on the wall clock, also when paper trading runs on the replay's faster market clock.
    /// </summary>
    private static TimeProvider WallTime(IServiceProvider sp) => sp.GetService<WallClock>()?.Time ?? sp.GetRequiredService<TimeProvider>();

    private const string RiskReviewerKey = "ai-risk-review";

    /// <summary>
    /// Tool loop outermost (it sees whole requests), the token budget per round, resilience per round, the SDK last;
    /// <paramref name="circuit"/>, when given, reports the breaker's state (<see cref="LlmCircuits"/>).
    /// </summary>
    public static IChatClient BuildPipeline(IChatClient vendor, BrainOptions options, TimeProvider time, ILoggerFactory? loggerFactory = null, Polly.CircuitBreaker.CircuitBreakerStateProvider? circuit = null) =>
        new ChatClientBuilder(vendor)
            .UseFunctionInvocation(loggerFactory, f =>
            {
                f.MaximumIterationsPerRequest = options.MaxToolIterations;
                f.MaximumConsecutiveErrorsPerRequest = 2;
                f.IncludeDetailedErrors = false;
            })
            .Use(inner => new TokenBudgetChatClient(inner))
            .Use(inner => new ResilientChatClient(inner, options, time, circuit))
            .Build();

    private static BrainOptions Copy(BrainOptions o, string? model) => new()
    {
        Provider = o.Provider,
        Model = model,
        ApiKey = o.ApiKey,
        Endpoint = o.Endpoint,
        Temperature = 0f,
        MaxTokens = 300,
        TimeoutSeconds = o.TimeoutSeconds,
        MaxRetries = o.MaxRetries,
        RetryBaseDelayMs = o.RetryBaseDelayMs,
        MaxToolIterations = 1,
        TokenBudgetPerDecision = o.TokenBudgetPerDecision,
        DailyBudgetUsd = o.DailyBudgetUsd,
        Prices = o.Prices,
    };

    private static bool IsRules(BrainOptions o) => LlmProviders.Normalize(o.Provider) == LlmProviders.Rules;

    private static bool IsAbsoluteUri(string? text) => Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}
