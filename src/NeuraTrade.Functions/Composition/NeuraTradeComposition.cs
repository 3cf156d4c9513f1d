using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges;
using NeuraTrade.Functions.Api;
using NeuraTrade.Functions.Auth;
using NeuraTrade.Functions.RateLimits;
using NeuraTrade.Functions.Settings;
using NeuraTrade.Llm;
using NeuraTrade.Storage;

namespace NeuraTrade.Functions.Composition;

/// <summary>
/// Everything the app is made of, composed once for both hosts: the Functions app and <c>neuratrade serve</c>.
/// A wrong setting fails at start with a message naming the key.
/// </summary>
public static class NeuraTradeComposition
{
    public static IHostApplicationBuilder AddNeuraTrade(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.TryAddSingleton(TimeProvider.System);

        // First: the seed's spellings and durations become the options' own, and a key that binds to nothing stops the start.
        var unknown = SeedSpellings.Apply(configuration);
        services.AddOptions<SettingsKeys>().Configure(o => o.Unknown = unknown).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SettingsKeys>, SettingsKeysValidation>();

        services.AddOptions<ScalpingOptions>()
            .Configure(o => BindScalping(o, configuration))
            .ValidateDataAnnotations()
            .Validate(o => ScalpingProfiles.IsKnown(o.Profile), $"Scalping:Profile must be one of {string.Join(", ", ScalpingProfiles.Names)}.")
            .Validate(o => o.Symbols.All(s => MarketSymbol.TryNormalize(s, out _)), "Scalping:Symbols must be BASE/QUOTE symbols, e.g. BTC/USDT.")
            .Validate(o => IsSixFieldCron(o.ScanSchedule), $"{ScalpingOptions.ScheduleSetting} must be a 6-field NCRONTAB expression with seconds, e.g. */10 * * * * *.")
            .Validate(_ => configuration["Scalping:ScanSchedule"] is null, $"Scalping:ScanSchedule is not read: set the flat app setting {ScalpingOptions.ScheduleSetting} (the timer trigger reads it).")
            .Validate(o => o.ScanInterval is null || ScanIntervalSchedule.TryCron(o.ScanInterval.Value, out _), $"{ScanIntervalSchedule.Setting} must divide a minute, an hour or a day evenly, e.g. 10s, 30s, 1m, 5m, 1h.")
            .Validate(o => o.PositionHoldTime > TimeSpan.Zero, "Scalping:PositionHoldTime must be positive, e.g. 2m or 00:02:00.")
            .Validate(o => o.ScanLeaseTime > TimeSpan.Zero, "Scalping:ScanLeaseTime must be positive, e.g. 00:02:00.")
            .Validate(o => o.MaxDecisionAge > TimeSpan.Zero, "Scalping:MaxDecisionAge must be positive, e.g. 00:05:00.")
            .Validate(o => o.StopLossCooldown >= TimeSpan.Zero && o.LossStreakPause >= TimeSpan.Zero && o.ReconcileLookback >= TimeSpan.Zero, "Scalping:StopLossCooldown, LossStreakPause and ReconcileLookback must not be negative.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScalpingOptions>, ScanIntervalValidation>();

        // The risk limits are read from the same Scalping keys (profile applied, validated): the scalper's options are them.
        services.AddSingleton<IOptions<RiskLimits>>(sp => sp.GetRequiredService<IOptions<ScalpingOptions>>());

        services.AddNeuraTradeStorage(configuration);
        services.AddNeuraTradeExchange(configuration);

        services.AddNeuraTradeBrain(configuration);

        // AI:Timeframe not set: the brain reads the data's own candles. A hold shorter than one of them is refused at start.
        services.AddOptions<BrainOptions>()
            .PostConfigure<IServiceProvider>((o, sp) => o.Timeframe = ExchangeComposition.BrainTimeframe(sp, o.Timeframe))
            .Validate(o => Timeframes.IsValid(o.Timeframe), "AI:Timeframe must be a candle timeframe such as 1m, 5m, 15m, 1h or 1d.");
        // On the brain's options, not the scalper's: resolving the data's timeframe reads the scalper's symbols (no cycle).
        services.AddSingleton<IValidateOptions<BrainOptions>>(sp => new HoldHorizonValidation(sp, configuration));
        services.AddSingleton<DecisionValidator>();
        services.AddSingleton<RiskGate>();
        // The learning system: outcomes recorded by the desk and the entry pipeline (IOutcomeStore comes with the storage).
        services.AddSingleton<NeuraTrade.Core.Learning.OutcomeRecorder>();
        services.AddSingleton<ILearningSource, NeuraTrade.Core.Learning.OutcomeLearning>();
        services.AddSingleton<NeuraTrade.Core.Learning.AdaptiveConfidence>();
        services.AddSingleton<TradeDesk>();
        services.AddSingleton<PortfolioReader>();
        services.AddSingleton<TradeHistory>();
        services.AddSingleton<EntryPipeline>();
        services.AddSingleton<DecisionMaker>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<LiveBooks>(
            sp, ScanInterval(sp.GetRequiredService<IOptions<ScalpingOptions>>().Value.ScanSchedule, sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        services.AddSingleton<ScalpingEngine>();
        builder.AddNeuraTradeArbitrage();

        // The fan-out: intervals are the schedule's shortest gap; the queue trigger's retries and poison limit from host.json.
        services.AddSingleton(sp => new ScanCadence(ScanInterval(sp.GetRequiredService<IOptions<ScalpingOptions>>().Value.ScanSchedule, sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        services.AddSingleton<ScanFanOut>();
        services.TryAddSingleton(_ => QueueHostSettings.ForApp());
        services.AddSingleton<ScalpingControl>();
        services.AddSingleton<SymbolUniverse>();
        services.AddSingleton<HealthProbe>();
        services.AddOptions<RateLimitOptions>()
            .Bind(configuration.GetSection(RateLimitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ApiRateLimiter>();
        services.AddTradingAuthorization(configuration);
        services.AddSingleton<StartupReport>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupReport>());
        return builder;
    }

    /// <summary>
    /// Profile preset first, then explicit keys; a comma-separated <c>Scalping:Symbols</c> is accepted too.
    /// The schedule comes from the flat setting the timer trigger reads.
    /// </summary>
    internal static void BindScalping(ScalpingOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(ScalpingOptions.Section);
        ScalpingProfiles.Apply(options, section["Profile"]);
        var csv = section["Symbols"];
        if (section.GetSection(nameof(ScalpingOptions.Symbols)).GetChildren().Any())
        {
            options.Symbols = []; // a listed array replaces the defaults (the binder would append to them)
        }

        section.Bind(options);
        options.ScanSchedule = configuration[ScalpingOptions.ScheduleSetting] ?? ScalpingOptions.DefaultScanSchedule;
        if (!string.IsNullOrWhiteSpace(csv))
        {
            options.Symbols = csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        options.Profile = options.Profile.Trim().ToLowerInvariant();
        options.Symbols = options.Symbols
            .Select(s => MarketSymbol.TryNormalize(s, out var n) ? n : s)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// The shortest gap between the schedule's next occurrences after <paramref name="from"/> (10 s for the default): the
    /// books check runs at most once per this long per process.
    /// </summary>
    internal static TimeSpan ScanInterval(string schedule, DateTimeOffset from)
    {
        var expression = CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
        var shortest = TimeSpan.MaxValue;
        var previous = expression.GetNextOccurrence(from.UtcDateTime);
        for (var i = 0; i < 100 && previous is { } at; i++)
        {
            var next = expression.GetNextOccurrence(at);
            if (next is { } n && n - at < shortest)
            {
                shortest = n - at;
            }

            previous = next;
        }

        return shortest == TimeSpan.MaxValue ? TimeSpan.FromSeconds(10) : shortest;
    }

    /// <summary>Refuses a hold shorter than one candle the brain reads (<see cref="HoldHorizon.Refusal"/>).</summary>
    private sealed class HoldHorizonValidation(IServiceProvider services, IConfiguration configuration) : IValidateOptions<BrainOptions>
    {
        public ValidateOptionsResult Validate(string? name, BrainOptions brain)
        {
            var options = services.GetRequiredService<IOptions<ScalpingOptions>>().Value;
            if (options.PositionHoldTime <= TimeSpan.Zero || !Timeframes.IsValid(brain.Timeframe))
            {
                return ValidateOptionsResult.Skip; // reported by their own checks
            }

            var timeframeSet = !string.IsNullOrWhiteSpace(configuration[$"{BrainOptions.Section}:Timeframe"]);
            return HoldHorizon.Refusal(options.PositionHoldTime, brain.CandleTimeframe, timeframeSet) is { } refusal
                ? ValidateOptionsResult.Fail(refusal)
                : ValidateOptionsResult.Success;
        }
    }

    /// <summary>
    /// <c>Scalping:ScanInterval</c> where the timer's schedule is a trigger expression (the Functions app): it must say what
    /// <see cref="ScalpingOptions.ScheduleSetting"/> says, else start-up names the schedule to set instead. The local host
    /// sets that schedule from the interval, so there the two always agree.
    /// </summary>
    private sealed class ScanIntervalValidation : IValidateOptions<ScalpingOptions>
    {
        public ValidateOptionsResult Validate(string? name, ScalpingOptions options) =>
            options.ScanInterval is not { } interval || !ScanIntervalSchedule.TryCron(interval, out var cron) || ScanIntervalSchedule.Same(cron, options.ScanSchedule)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(
                    $"{ScanIntervalSchedule.Setting}={interval:c} cannot set the timer of the Functions app, whose trigger reads {ScalpingOptions.ScheduleSetting} (now '{options.ScanSchedule}'): "
                    + $"set {ScalpingOptions.ScheduleSetting}={cron} instead (and remove {ScanIntervalSchedule.Setting}, or keep both equal).");
    }

    /// <summary>A 6-field NCRONTAB expression (with seconds), as the timer triggers read their schedules.</summary>
    internal static bool IsSixFieldCron(string expression)
    {
        if (expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 6)
        {
            return false;
        }

        try
        {
            CronExpression.Parse(expression, CronFormat.IncludeSeconds);
            return true;
        }
        catch (CronFormatException)
        {
            return false;
        }
    }
}
