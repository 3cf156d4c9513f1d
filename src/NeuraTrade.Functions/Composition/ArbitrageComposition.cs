using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Arbitrage;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.Exchanges.Paper;
using NeuraTrade.Storage;

namespace NeuraTrade.Functions.Composition;

/// <summary>
/// The arbitrage for both hosts: the <c>Arbitrage</c> options (checked at start by <see cref="ArbitrageOptions.Problem"/>,
/// naming the key), one exchange port per venue on the venues' own market clock (<see cref="ArbitrageVenues"/>), the
/// <see cref="ArbitrageDesk"/> (a singleton: the LLM tools read it), its account gate, store, admission lease, engine and controls.
/// </summary>
public static class ArbitrageComposition
{
    public static IHostApplicationBuilder AddNeuraTradeArbitrage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<ArbitrageOptions>()
            .Configure(o => Bind(o, configuration))
            .ValidateDataAnnotations()
            .Validate(o => IsSixFieldCron(o, configuration), $"{ArbitrageOptions.ScheduleSetting} must be a 6-field NCRONTAB expression with seconds, e.g. {ArbitrageOptions.DefaultScanSchedule}.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ArbitrageOptions>, ProblemValidation>();

        services.AddSingleton(sp => ArbitrageVenues.Build(
            sp.GetRequiredService<IOptions<ArbitrageOptions>>().Value,
            sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value,
            new TableReplayAnchorStore(sp.GetRequiredService<TableStore>(), ArbitrageVenues.AnchorRow),
            sp.GetRequiredService<WallClock>(),
            venue => TablePaperAccountStore.ForVenue(sp.GetRequiredService<TableStore>(), venue),
            sp.GetRequiredService<BinanceSpotExchange>,
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IArbitrageStore, TableArbitrageStore>();
        services.AddKeyedSingleton<IEntryAdmission, TableArbitrageAdmission>(ArbitrageEngine.AdmissionKey);
        services.AddSingleton<ArbitrageAccountGate>();

        // The desk's own switch is the persisted toggle, asked through the gate (Arbitrage:Enabled is its start value only).
        services.AddSingleton(sp => new ArbitrageDesk(
            sp.GetRequiredService<ArbitrageVenueSet>().Venues,
            Switched(sp.GetRequiredService<IOptions<ArbitrageOptions>>().Value),
            sp.GetRequiredService<ILogger<ArbitrageDesk>>(),
            sp.GetRequiredService<ArbitrageAccountGate>().RefusalAsync));
        services.AddSingleton(sp => new ArbitrageEngine(
            sp.GetRequiredService<ArbitrageDesk>(),
            sp.GetRequiredService<ITradingBrain>(),
            sp.GetRequiredService<DecisionValidator>(),
            sp.GetRequiredService<IDecisionStore>(),
            sp.GetRequiredService<IArbitrageStore>(),
            sp.GetRequiredService<IScalpingStateStore>(),
            sp.GetRequiredKeyedService<IEntryAdmission>(ArbitrageEngine.AdmissionKey),
            sp.GetRequiredService<ArbitrageVenueSet>().Clock,
            sp.GetRequiredService<IOptions<BrainOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<ArbitrageEngine>>()));
        services.AddSingleton(sp => new ArbitrageControl(
            sp.GetRequiredService<ArbitrageDesk>(),
            sp.GetRequiredService<IArbitrageStore>(),
            sp.GetRequiredService<ArbitrageAccountGate>(),
            sp.GetRequiredService<ArbitrageVenueSet>().Starts,
            sp.GetRequiredService<ArbitrageVenueSet>().Clock,
            sp.GetRequiredService<TimeProvider>()));
        return builder;
    }

    /// <summary>A listed venue array replaces nothing (the defaults live apart, <see cref="ArbitrageOptions.DefaultPaperVenues"/>); names are trimmed, symbols normalized.</summary>
    private static void Bind(ArbitrageOptions options, IConfiguration configuration)
    {
        configuration.GetSection(ArbitrageOptions.Section).Bind(options);
        foreach (var venue in options.Venues)
        {
            venue.Name = venue.Name.Trim();
            venue.Exchange = venue.Exchange.Trim().ToLowerInvariant();
        }
    }

    private static ArbitrageOptions Switched(ArbitrageOptions o) => new()
    {
        Enabled = true,
        Venues = o.Venues,
        QuoteRates = o.QuoteRates,
        MinNetEdgePercent = o.MinNetEdgePercent,
        SafetyBufferPercent = o.SafetyBufferPercent,
        MaxNotional = o.MaxNotional,
        MinNotional = o.MinNotional,
    };

    private static bool IsSixFieldCron(ArbitrageOptions _, IConfiguration configuration) =>
        NeuraTradeComposition.IsSixFieldCron(configuration[ArbitrageOptions.ScheduleSetting] ?? ArbitrageOptions.DefaultScanSchedule);

    /// <summary>The venues' settings as <see cref="ArbitrageOptions.Problem"/> judges them, its message naming the key.</summary>
    private sealed class ProblemValidation : IValidateOptions<ArbitrageOptions>
    {
        public ValidateOptionsResult Validate(string? name, ArbitrageOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
