using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Cli;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The seed's own config.yml and profile files (config/seed, verbatim), its snake_case keys and durations, and no
/// key under the project's sections silently ignored.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SeedSettingsTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The environment config.yml's <c>${OPENAI_API_KEY}</c> is read from (the process's own is left alone).</summary>
    private static string? Environment(string name) => name == "OPENAI_API_KEY" ? "sk-from-the-environment" : null;

    private static string Seed(string file) => Path.Combine(AppContext.BaseDirectory, "config", "seed", file);

    private static Action<IConfigurationBuilder> Files(params string[] files) => c => ConfigFiles.Add(c, files.Select(Seed), Environment);

    [Fact]
    public async Task The_seeds_config_yml_reaches_every_option_it_sets()
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, configure: Files("config.yml"));

        app.Get<IStartupValidator>().Validate();
        var ai = app.Get<IOptions<BrainOptions>>().Value;
        Assert.Equal("openai", ai.Provider);
        Assert.Equal("gpt-4o", ai.Model);
        Assert.Equal("sk-from-the-environment", ai.ApiKey);
        Assert.Equal(0.2f, ai.Temperature);
        Assert.Equal(2000, ai.MaxTokens);
        Assert.Equal(0.7m, ai.MinConfidence);
        Assert.True(ai.EnableLearning);

        var scalping = app.Get<IOptions<ScalpingOptions>>().Value;
        Assert.True(scalping.Enabled);
        Assert.Equal(["BTC/USDT", "ETH/USDT", "SOL/USDT"], scalping.Symbols);
        Assert.Equal(3, scalping.MaxPositions);
        Assert.Equal(TimeSpan.FromSeconds(10), scalping.ScanInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), scalping.PositionHoldTime);
        Assert.Equal(100m, scalping.MaxDailyLoss);
        Assert.Equal(100m, scalping.MaxPositionSize);
    }

    [Theory]
    [InlineData("conservative.yml", 2, 0.05, 50, 50, 5)]
    [InlineData("aggressive.yml", 5, 0.01, 200, 200, 1)]
    public async Task A_profile_file_after_config_yml_sets_its_limits(string profile, int positions, double minNetEdge, int size, int dailyLoss, int holdMinutes)
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, configure: Files("config.yml", profile));

        app.Get<IStartupValidator>().Validate();
        var scalping = app.Get<IOptions<ScalpingOptions>>().Value;
        Assert.Equal(positions, scalping.MaxPositions);
        Assert.Equal((decimal)minNetEdge, scalping.MinNetEdgePercent);
        Assert.Equal(size, scalping.MaxPositionSize);
        Assert.Equal(dailyLoss, scalping.MaxDailyLoss);
        Assert.Equal(TimeSpan.FromMinutes(holdMinutes), scalping.PositionHoldTime);
        Assert.Equal(["BTC/USDT", "ETH/USDT", "SOL/USDT"], scalping.Symbols);
        Assert.Equal("gpt-4o", app.Get<IOptions<BrainOptions>>().Value.Model);
    }

    [Fact]
    public async Task A_listed_symbol_replaces_the_default_list()
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, new Dictionary<string, string?> { ["scalping:symbols:0"] = "ETH/USDT" });

        Assert.Equal(["ETH/USDT"], app.Get<IOptions<ScalpingOptions>>().Value.Symbols);
    }

    [Fact]
    public void An_unset_environment_variable_in_a_config_file_stops_the_start_naming_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ConfigFiles.Add(new ConfigurationBuilder(), [Seed("config.yml")], _ => null));

        Assert.Contains("OPENAI_API_KEY", error.Message, StringComparison.Ordinal);
        Assert.Contains("ai:api_key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snake_case_keys_bind_like_their_PascalCase_names()
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, new Dictionary<string, string?>
        {
            ["Scalping:max_positions"] = "1",
            ["Scalping:min_spread_percent"] = "0.07",
            ["Scalping:stop_loss_cooldown"] = "90s",
            ["AI:max_tokens"] = "900",
            ["AI:api_key"] = "key-1",
            ["AI:enable_learning"] = "true",
            ["AI:prices:my-model:input_per_million_usd"] = "1.5",
            ["Exchange:starting_balances:BTC"] = "0.5",
            ["Exchange:Binance:recv_window_ms"] = "6000",
        });

        app.Get<IStartupValidator>().Validate();
        var scalping = app.Get<IOptions<ScalpingOptions>>().Value;
        Assert.Equal(1, scalping.MaxPositions);
        Assert.Equal(0.07m, scalping.MinNetEdgePercent);
        Assert.Equal(TimeSpan.FromSeconds(90), scalping.StopLossCooldown);
        var ai = app.Get<IOptions<BrainOptions>>().Value;
        Assert.Equal(900, ai.MaxTokens);
        Assert.Equal("key-1", ai.ApiKey);
        Assert.True(ai.EnableLearning);
        Assert.Equal(1.5m, ai.Prices["my-model"].InputPerMillionUsd);
        Assert.Equal(0.5m, app.Get<IOptions<PaperExchangeOptions>>().Value.StartingBalances["BTC"]);
        Assert.Equal(6000, app.Get<IOptions<BinanceOptions>>().Value.RecvWindowMs);
    }

    [Fact]
    public async Task The_explicit_name_in_a_later_source_wins_over_the_seed_spelling_in_an_earlier_one()
    {
        await using var app = TestApp.CreateWithDefaults(
            azurite,
            Start,
            new Dictionary<string, string?> { ["Scalping:max_positions"] = "1", ["Scalping:MinNetEdgePercent"] = "0.03" },
            c => c.AddInMemoryCollection(new Dictionary<string, string?> { ["Scalping:MaxPositions"] = "4", ["Scalping:min_spread_percent"] = "0.08" }));

        var scalping = app.Get<IOptions<ScalpingOptions>>().Value;
        Assert.Equal(4, scalping.MaxPositions);
        Assert.Equal(0.08m, scalping.MinNetEdgePercent);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("00:02:00", 120)]
    public async Task Durations_accept_the_seeds_units_and_dotnet_time_spans(string written, int seconds)
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, new Dictionary<string, string?>
        {
            ["Scalping:PositionHoldTime"] = written,
            ["Storage:retry_delay"] = "250ms",
        });

        Assert.Equal(TimeSpan.FromSeconds(seconds), app.Get<IOptions<ScalpingOptions>>().Value.PositionHoldTime);
        Assert.Equal(TimeSpan.FromMilliseconds(250), app.Get<IOptions<NeuraTrade.Storage.TableStorageOptions>>().Value.RetryDelay);
    }

    [Theory]
    [InlineData("Scalping:MaxPositon", "Scalping:MaxPositon is not a setting: did you mean Scalping:MaxPositions?")]
    [InlineData("Scalping:max_positon", "did you mean Scalping:MaxPositions?")]
    [InlineData("AI:MaxTokns", "did you mean AI:MaxTokens?")]
    [InlineData("Exchange:Binance:ApiKy", "did you mean Exchange:Binance:ApiKey?")]
    [InlineData("AI:Prices:my-model:input_per_million", "did you mean AI:Prices:my-model:InputPerMillionUsd?")]
    [InlineData("Exchange:TickSize", "Exchange:TickSize is not a setting: it was removed: the replay's price tick comes from markets.json")]
    [InlineData("Exchange:MinSpreadPercent", "the least an entry must earn is Scalping:MinNetEdgePercent")]
    [InlineData("Arbitrage:MinNetEdgPercent", "did you mean Arbitrage:MinNetEdgePercent?")]
    [InlineData("Arbitrage:Venues:0:TakerFeePercnt", "did you mean Arbitrage:Venues:0:TakerFeePercent?")]
    [InlineData("LocalHost:Port", "LocalHost:Port is not a setting")]
    [InlineData("Trading:Mode:Live", "Trading:Mode has no settings")]
    public async Task A_key_that_binds_to_nothing_stops_the_start_naming_it_and_the_closest_key(string key, string said)
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { [key] = "1" });

        // A misspelt venue key also leaves that venue unnamed, which the arbitrage's own check reports beside it.
        var failures = Assert.ThrowsAny<Exception>(() => app.Get<IStartupValidator>().Validate()) switch
        {
            OptionsValidationException one => one.Failures,
            AggregateException many => many.InnerExceptions.Select(e => Assert.IsType<OptionsValidationException>(e)).SelectMany(e => e.Failures),
            var other => throw new Xunit.Sdk.XunitException($"unexpected {other.GetType().Name}: {other.Message}"),
        };
        Assert.Contains(said, string.Join(" ", failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dictionary_keys_indexes_and_the_seeds_alias_are_known()
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?>
        {
            ["Exchange:StartingBalances:ETH"] = "1",
            ["AI:Prices:some-model:OutputPerMillionUsd"] = "2",
            ["Scalping:Symbols:0"] = "BTC/USDT",
            ["Scalping:MinSpreadPercent"] = "0.04",
            ["Scalping:Enabled"] = "true",
        });

        app.Get<IStartupValidator>().Validate();
        Assert.Equal(0.04m, app.Get<IOptions<ScalpingOptions>>().Value.MinNetEdgePercent);
    }

    [Fact]
    public async Task Scalping_disabled_by_configuration_enters_nothing_and_the_status_says_so()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt, new Dictionary<string, string?> { ["Scalping:Symbols"] = "BTC/USDT", ["Scalping:enabled"] = "false" });

        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        Assert.True(report.Skipped);
        Assert.Equal("skipped: scalping is disabled by configuration (Scalping:Enabled=false)", report.Summary);
        Assert.Empty(await app.Get<IPositionStore>().GetOpenAsync(CancellationToken.None));
        var status = await app.Get<ScalpingControl>().GetStatusAsync(CancellationToken.None);
        Assert.False(status.Enabled);
        Assert.True(status.Active); // the runtime toggle is untouched: turning it on does not trade
        Assert.Equal(ScalpingStatus.DisabledByConfiguration, status.PausedReason);
        Assert.True(await app.Get<ScalpingControl>().SetActiveAsync(true, CancellationToken.None));
        Assert.True((await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None)).Skipped);
    }

    [Fact]
    public async Task In_the_Functions_app_a_scan_interval_unlike_the_timers_schedule_names_the_schedule_to_set()
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { ["Scalping:scan_interval"] = "30s" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Get<IOptions<ScalpingOptions>>().Value);
        Assert.Contains("set ScalpingScanSchedule=*/30 * * * * * instead", string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10s", "*/10 * * * * *")]
    [InlineData("30s", "*/30 * * * * *")]
    [InlineData("5m", "0 */5 * * * *")]
    [InlineData("1h", "0 0 */1 * * *")]
    public async Task On_the_local_host_the_scan_interval_sets_the_timers_schedule(string interval, string schedule)
    {
        await using var app = LocalFunctionHost.Build("http://127.0.0.1:0", c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:TablePrefix"] = AzuriteFixture.UniquePrefix(),
            ["Scalping:ScanInterval"] = interval,
        }));

        Assert.Equal(schedule, app.Services.GetRequiredService<IOptions<ScalpingOptions>>().Value.ScanSchedule);
        Assert.Equal(schedule, LocalFunctionHost.ResolveSettings(app.Services.GetRequiredService<FunctionCatalog>().Timers.Single(t => t.Name == "ScalpingScan").Schedule, app.Configuration));
    }

    [Fact]
    public async Task A_scan_interval_no_schedule_can_express_is_refused_naming_the_key()
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { ["Scalping:ScanInterval"] = "7s" });

        var error = Assert.Throws<OptionsValidationException>(() => app.Get<IOptions<ScalpingOptions>>().Value);
        Assert.Contains("Scalping:ScanInterval must divide a minute", string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_option_repeats_and_keeps_the_files_in_order()
    {
        var command = BacktestCommand.Create();

        var parsed = command.Parse(["--config", "config.yml", "--config", "conservative.yml"]);

        Assert.Empty(parsed.Errors);
        Assert.Equal(["config.yml", "conservative.yml"], parsed.GetValue<string[]>("--config")!);
    }

    [Fact]
    public void The_backtest_reads_the_same_files_and_refuses_an_unknown_key()
    {
        var configuration = BacktestCommand.Configuration([Seed("config.yml"), Seed("conservative.yml")], Environment);
        Assert.Equal("00:05:00", configuration["Scalping:PositionHoldTime"]);
        Assert.Equal("0.05", configuration["Scalping:MinNetEdgePercent"]);

        var misspelt = Path.Combine(Path.GetTempPath(), $"neuratrade-{Guid.NewGuid():N}.yml");
        File.WriteAllText(misspelt, "scalping:\n  max_positon: 1\n");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => BacktestCommand.Configuration([misspelt], Environment));
            Assert.Contains("scalping:max_positon is not a setting: did you mean Scalping:MaxPositions?", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(misspelt);
        }
    }
}
