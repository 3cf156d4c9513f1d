using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Core.Brain;

/// <summary>Settings section <c>AI</c> (the seed's <c>ai:</c> block).</summary>
public sealed class BrainOptions
{
    public const string Section = "AI";

    /// <summary>
    /// Which brain decides: <c>rules</c> (no network, no key), <c>openai</c>, <c>azure-openai</c>, <c>anthropic</c>,
    /// or <c>openai-compatible</c> (aliases <c>mlx</c>, <c>ollama</c>).
    /// </summary>
    [Required]
    public string Provider { get; set; } = "rules";

    /// <summary>Model id (OpenAI, Anthropic, OpenAI-compatible) or deployment name (Azure OpenAI).</summary>
    public string? Model { get; set; }

    /// <summary>The provider's key. Azure OpenAI without a key signs in with Entra ID (managed identity).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Base address: required for Azure OpenAI and OpenAI-compatible servers; optional override for the others.</summary>
    public string? Endpoint { get; set; }

    [Range(0.0, 2.0)]
    public float Temperature { get; set; } = 0.2f;

    /// <summary>Most output tokens per model round.</summary>
    [Range(64, 32_000)]
    public int MaxTokens { get; set; } = 800;

    /// <summary>Give the brain the outcomes of its recent decisions on the symbol.</summary>
    public bool EnableLearning { get; set; }

    /// <summary>
    /// Let the learning statistics raise the minimum confidence of a symbol and strategy whose recent confident entries
    /// are not winning, and pause it at the cap (<see cref="Learning.AdaptiveConfidence"/>); off by default.
    /// </summary>
    public bool AdaptiveMinConfidence { get; set; }

    /// <summary>Per model round, before it counts as a timeout.</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries on 429, 5xx and timeouts (the SDKs' own retries are off: this is the only retry layer).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; doubles with jitter; a Retry-After header wins.</summary>
    [Range(0, 60_000)]
    public int RetryBaseDelayMs { get; set; } = 1000;

    /// <summary>Model rounds in one decision's tool loop, at most.</summary>
    [Range(1, 20)]
    public int MaxToolIterations { get; set; } = 4;

    /// <summary>Input + output tokens one decision may use over all its rounds.</summary>
    [Range(500, 1_000_000)]
    public int TokenBudgetPerDecision { get; set; } = 12_000;

    /// <summary>LLM spend per UTC day; over it, decisions are HOLD without a call. 0 means no limit.</summary>
    [Range(0.0, 100_000.0)]
    public decimal DailyBudgetUsd { get; set; } = 5m;

    /// <summary>How many symbols a scan asks the LLM about at once.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Offer the execution tools (place_order, close_position) to the model. Never during scans.</summary>
    public bool ExecutionTools { get; set; }

    /// <summary>A second, cheaper LLM call reviews each entry (approve, reduce or block) before the hard risk gate.</summary>
    public bool RiskReview { get; set; }

    /// <summary>The reviewer's model (same provider and key); the decision model when empty.</summary>
    public string? RiskReviewModel { get; set; }

    /// <summary>USD per million tokens by model id; unknown models cost nothing in the ledger and are flagged.</summary>
    public Dictionary<string, LlmPrice> Prices { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o-mini"] = new() { InputPerMillionUsd = 0.15m, OutputPerMillionUsd = 0.60m },
        ["gpt-4o"] = new() { InputPerMillionUsd = 2.50m, OutputPerMillionUsd = 10m },
        ["gpt-4.1-mini"] = new() { InputPerMillionUsd = 0.40m, OutputPerMillionUsd = 1.60m },
        ["gpt-4.1"] = new() { InputPerMillionUsd = 2m, OutputPerMillionUsd = 8m },
        ["claude-3-5-haiku-latest"] = new() { InputPerMillionUsd = 0.80m, OutputPerMillionUsd = 4m },
        ["claude-sonnet-4-0"] = new() { InputPerMillionUsd = 3m, OutputPerMillionUsd = 15m },
    };

    /// <summary>Proposals below this confidence become HOLD.</summary>
    [Range(0.0, 1.0)]
    public decimal MinConfidence { get; set; } = 0.6m;

    /// <summary>The largest <c>size_percent</c> a decision may ask for.</summary>
    [Range(0.01, 100.0)]
    public decimal MaxSizePercent { get; set; } = 25m;

    /// <summary>How far (percent of mid) a proposed entry may sit from the market.</summary>
    [Range(0.001, 50.0)]
    public decimal EntryBandPercent { get; set; } = 0.5m;

    /// <summary>Short entries on a spot venue need borrowing; off unless a venue supports it.</summary>
    public bool AllowShort { get; set; }

    /// <summary>Closed candles of history given to the brain.</summary>
    [Range(30, 1000)]
    public int HistoryCandles { get; set; } = 60;

    /// <summary>
    /// Candle timeframe the brain reads (<c>1m</c>, <c>5m</c>, <c>1h</c>…). Not set: the data's own (the replay's candle
    /// files, a backtest's <c>--data</c>), and <see cref="Markets.Timeframes.LiveDefault"/> on a live feed. Hosts and
    /// backtests resolve it before anything reads it (<see cref="CandleTimeframe"/>).
    /// </summary>
    public string? Timeframe { get; set; }

    /// <summary>The timeframe the brain reads: <see cref="Timeframe"/>, else <see cref="Markets.Timeframes.LiveDefault"/>.</summary>
    public string CandleTimeframe => string.IsNullOrWhiteSpace(Timeframe) ? Markets.Timeframes.LiveDefault : Timeframe.Trim();
}

/// <summary>Price of a model, USD per million tokens.</summary>
public sealed class LlmPrice
{
    [Range(0.0, 10_000.0)]
    public decimal InputPerMillionUsd { get; set; }

    [Range(0.0, 10_000.0)]
    public decimal OutputPerMillionUsd { get; set; }

    public decimal Cost(long inputTokens, long outputTokens) =>
        ((inputTokens * InputPerMillionUsd) + (outputTokens * OutputPerMillionUsd)) / 1_000_000m;
}
