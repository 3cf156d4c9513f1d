using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.Exchanges.Paper;
using Polly;

namespace NeuraTrade.Exchanges;

/// <summary>
/// Registers the configured <see cref="IExchange"/>. <c>Trading:Mode</c> decides how real orders are: paper (the
/// default: <see cref="PaperExchange"/> over the replay, or over Binance's live public data with
/// <c>Exchange:MarketData=binance</c>), testnet or live (<see cref="BinanceSpotExchange"/>). A host that would
/// send orders refuses to start without keys, with the replay feed, or (live) without an explicit daily loss limit.
/// </summary>
public static class ExchangeComposition
{
    public const string DailyLossLimitSetting = "Scalping:MaxDailyLoss";

    public static IServiceCollection AddNeuraTradeExchange(this IServiceCollection services, IConfiguration configuration)
    {
        UseWallClock(services);
        services.AddOptions<TradingOptions>()
            .Bind(configuration.GetSection(TradingOptions.Section))
            .Validate(o => o.TryParseMode(out _), "Trading:Mode must be paper (default), testnet or live.")
            .Validate(o => !o.TryParseMode(out var m) || m == TradingMode.Paper || HasKeys(configuration),
                "Trading:Mode testnet/live needs Exchange:Binance:ApiKey and Exchange:Binance:ApiSecret (in Azure: Key Vault references in app settings).")
            .Validate(o => !o.TryParseMode(out var m) || m == TradingMode.Paper || !IsReplay(configuration[$"{PaperExchangeOptions.Section}:MarketData"]),
                "Trading:Mode testnet/live trades on the venue's own market data: remove Exchange:MarketData=replay (the replay is for paper only).")
            .Validate(o => !o.TryParseMode(out var m) || m != TradingMode.Live || decimal.TryParse(configuration[DailyLossLimitSetting], System.Globalization.CultureInfo.InvariantCulture, out var limit) && limit > 0m,
                $"Trading:Mode live needs an explicit daily loss limit: set {DailyLossLimitSetting} to a positive amount of quote currency.")
            .ValidateOnStart();

        services.AddOptions<PaperExchangeOptions>()
            .Bind(configuration.GetSection(PaperExchangeOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => string.Equals(o.Name, "paper", StringComparison.OrdinalIgnoreCase), "Exchange:Name must be 'paper': choose the venue with Trading:Mode (paper, testnet, live) instead.")
            .Validate(o => IsReplay(o.MarketData) || string.Equals(o.MarketData, "binance", StringComparison.OrdinalIgnoreCase), "Exchange:MarketData must be 'replay' (bundled candles, default) or 'binance' (live public feed).")
            .ValidateOnStart();

        services.AddOptions<BinanceOptions>()
            .Bind(configuration.GetSection(BinanceOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.BaseUrl) || Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Exchange:Binance:BaseUrl must be an absolute http(s) URL, e.g. https://testnet.binance.vision.")
            .ValidateOnStart();

        services.AddHttpClient(BinanceRestClient.HttpClientName, (sp, client) =>
            {
                client.BaseAddress = new Uri(BinanceBaseUrl(sp));
                client.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
                client.DefaultRequestHeaders.UserAgent.ParseAdd("NeuraTrade/1.0");
            })
            .AddResilienceHandler("binance", (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<BinanceOptions>>().Value;
                pipeline.AddTimeout(o.AttemptTimeout * (o.MaxRetries + 2));
                if (o.MaxRetries > 0)
                {
                    var retry = new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.MaxRetries,
                        Delay = o.RetryBaseDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = false,

                        // Network errors, timeouts and 5xx only: a 429/418 means back off, a 4xx will not change.
                        ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                        {
                            { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
                            { Result: { } r } => (int)r.StatusCode >= 500 || (int)r.StatusCode == 408,
                            _ => false,
                        }),
                    };

                    // Orders are never resent blindly (the adapter looks the order up by its client id instead).
                    retry.DisableForUnsafeHttpMethods();
                    pipeline.AddRetry(retry);
                }

                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions { MinimumThroughput = 20, BreakDuration = TimeSpan.FromSeconds(15) });
                pipeline.AddTimeout(o.AttemptTimeout);
            });

        services.AddSingleton<BinanceRestClient>();
        services.AddSingleton(sp => new BinanceSpotExchange(
            sp.GetRequiredService<BinanceRestClient>(),
            sp.GetRequiredService<IOptions<BinanceOptions>>(),
            sp.GetRequiredService<IOptions<TradingOptions>>().Value.ParsedMode,
            sp.GetRequiredService<WallClock>().Time,
            sp.GetRequiredService<ILogger<BinanceSpotExchange>>()));

        services.AddSingleton(sp => CandleReplay.Load(ResolvePath(sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.ReplayDirectory)));
        services.TryAddSingleton<IReplayAnchorStore, InMemoryReplayAnchorStore>();
        services.AddSingleton(sp => new ReplayClock(
            sp.GetRequiredService<CandleReplay>(),
            sp.GetRequiredService<IOptions<ScalpingOptions>>().Value.Symbols,
            sp.GetRequiredService<IReplayAnchorStore>(),
            sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value,
            sp.GetRequiredService<WallClock>(),
            sp.GetRequiredService<ILogger<ReplayClock>>(),
            BrainHistory(sp)));

        // Paper on the replay runs the whole app on the replay's market clock; everything else on the wall clock.
        services.AddSingleton<IMarketReplay>(sp => UsesReplayClock(sp) ? sp.GetRequiredService<ReplayClock>() : LiveMarket.Instance);
        services.AddSingleton<TimeProvider>(sp => UsesReplayClock(sp) ? sp.GetRequiredService<ReplayClock>() : sp.GetRequiredService<WallClock>().Time);
        services.AddSingleton<IMarketDataFeed>(sp =>
        {
            if (!IsReplay(sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.MarketData))
            {
                return sp.GetRequiredService<BinanceSpotExchange>();
            }

            var clock = sp.GetRequiredService<ReplayClock>();
            return new ReplayFeed(new ReplayMarketData(clock.Data, sp.GetRequiredService<IOptions<PaperExchangeOptions>>(), clock.DataTime), clock);
        });
        services.AddSingleton<PaperExchange>();
        services.AddSingleton<IExchange>(sp => sp.GetRequiredService<IOptions<TradingOptions>>().Value.ParsedMode == TradingMode.Paper
            ? sp.GetRequiredService<PaperExchange>()
            : sp.GetRequiredService<BinanceSpotExchange>());
        // Exchange:QuoteCurrency is the account's currency on every venue: the limits and the day's PnL are amounts in it.
        services.AddSingleton(sp => new AccountValuation(sp.GetRequiredService<IExchange>(), sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.QuoteCurrency));
        services.AddHostedService<TradingModeAnnouncement>();
        return services;
    }

    /// <summary>
    /// The host's <see cref="TimeProvider"/> (the system clock unless the host registered its own, as tests do) becomes
    /// the <see cref="WallClock"/>; <see cref="TimeProvider"/> itself is then the market clock (registered below). Idempotent.
    /// </summary>
    public static void UseWallClock(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(WallClock)))
        {
            return;
        }

        var host = services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider) && !d.IsKeyedService);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton(sp => new WallClock(host switch
        {
            null => TimeProvider.System,
            { ImplementationInstance: TimeProvider instance } => instance,
            { ImplementationFactory: { } factory } => (TimeProvider)factory(sp),
            _ => (TimeProvider)ActivatorUtilities.CreateInstance(sp, host.ImplementationType!),
        }));
    }

    /// <summary>
    /// The candles the data comes in, which the brain reads when <c>AI:Timeframe</c> is not set: on the replay, the coarsest
    /// timeframe of the traded symbols' files (of all files when none is traded; the others can make it); on a live feed,
    /// <see cref="Timeframes.LiveDefault"/>.
    /// </summary>
    public static string DataTimeframe(IServiceProvider sp)
    {
        if (!IsReplay(sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.MarketData))
        {
            return Timeframes.LiveDefault;
        }

        var replay = sp.GetRequiredService<CandleReplay>();
        var symbols = sp.GetRequiredService<IOptions<ScalpingOptions>>().Value.Symbols;
        var traded = replay.Series.Where(s => symbols.Contains(s.Symbol, StringComparer.Ordinal)).ToList();
        return Timeframes.Coarsest((traded.Count > 0 ? traded : replay.Series).Select(s => s.Timeframe)) ?? Timeframes.LiveDefault;
    }

    /// <summary><paramref name="configured"/> (<c>AI:Timeframe</c>) when set, else <see cref="DataTimeframe"/>.</summary>
    public static string BrainTimeframe(IServiceProvider sp, string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? DataTimeframe(sp) : configured.Trim();

    /// <summary>The span of candles the brain reads (<c>AI:HistoryCandles</c> of its timeframe): the replay's warm-up.</summary>
    private static TimeSpan BrainHistory(IServiceProvider sp)
    {
        var brain = sp.GetRequiredService<IOptions<BrainOptions>>().Value;
        return Timeframes.Parse(BrainTimeframe(sp, brain.Timeframe)) * brain.HistoryCandles;
    }

    /// <summary>Paper trading on the replay: the app runs on the replay's market clock.</summary>
    private static bool UsesReplayClock(IServiceProvider sp) =>
        IsReplay(sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.MarketData)
        && sp.GetRequiredService<IOptions<TradingOptions>>().Value.TryParseMode(out var mode) && mode == TradingMode.Paper;

    /// <summary>The configured base URL, else Binance's own for the mode (the testnet for testnet, production otherwise).</summary>
    internal static string BinanceBaseUrl(IServiceProvider sp)
    {
        var configured = sp.GetRequiredService<IOptions<BinanceOptions>>().Value.BaseUrl;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        return sp.GetRequiredService<IOptions<TradingOptions>>().Value.TryParseMode(out var mode) && mode == TradingMode.Testnet
            ? BinanceOptions.TestnetBaseUrl
            : BinanceOptions.LiveBaseUrl;
    }

    private static bool HasKeys(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{BinanceOptions.Section}:ApiKey"]) && !string.IsNullOrWhiteSpace(configuration[$"{BinanceOptions.Section}:ApiSecret"]);

    private static bool IsReplay(string? marketData) => string.Equals(marketData?.Trim(), "replay", StringComparison.OrdinalIgnoreCase);

    private static string ResolvePath(string path) => Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path);
}
