using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>
/// Settings section <c>Exchange:Binance</c>. Keys come from settings (in Azure, app settings that are Key Vault
/// references) and are never logged: <see cref="ToString"/> redacts them.
/// </summary>
public sealed class BinanceOptions
{
    public const string Section = "Exchange:Binance";
    public const string LiveBaseUrl = "https://api.binance.com";
    public const string TestnetBaseUrl = "https://testnet.binance.vision";

    /// <summary>REST base URL; empty means Binance's own for the trading mode (live, or the spot testnet).</summary>
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiSecret { get; set; }

    /// <summary>How long after its timestamp a signed request stays valid at Binance, milliseconds (Binance's default 5000, max 60000).</summary>
    [Range(1, 60_000)]
    public int RecvWindowMs { get; set; } = 5000;

    /// <summary>Binance's REQUEST_WEIGHT limit per minute (exchangeInfo says 6000 for spot).</summary>
    [Range(1, 1_000_000)]
    public int RequestWeightPerMinute { get; set; } = 6000;

    /// <summary>Requests stop (unified RateLimited, nothing sent) once the minute's used weight would pass this share of the limit.</summary>
    [Range(1, 100)]
    public int MaxWeightUsePercent { get; set; } = 90;

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of idempotent (GET) requests on network errors, timeouts and 5xx; orders are never resent blindly.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the server-time offset is measured again (also after a timestamp rejection).</summary>
    public TimeSpan ServerTimeRefresh { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long loaded market metadata (exchangeInfo) is kept.</summary>
    public TimeSpan MarketsRefresh { get; set; } = TimeSpan.FromHours(1);

    public bool HasKeys => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(ApiSecret);

    public override string ToString() => $"Binance {BaseUrl} (keys {(HasKeys ? "set" : "not set")})";
}
