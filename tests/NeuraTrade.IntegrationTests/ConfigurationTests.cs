using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.IntegrationTests;

/// <summary>Settings as both hosts read them: defaults, profiles, and wrong values that fail at start naming the key.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConfigurationTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Zero_configuration_gives_the_seed_defaults()
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start);
        var o = app.Get<IOptions<ScalpingOptions>>().Value;

        // The paper replay of the bundled BTC/USDT minute candles, one candle of market time per 10 s scan, read by the
        // brain in the data's own minute candles (AI:Timeframe not set).
        var replay = app.Get<IOptions<PaperExchangeOptions>>().Value;
        Assert.Equal("data/replay", replay.ReplayDirectory);
        Assert.Equal(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(10 * replay.ReplaySpeed));
        Assert.Equal("1m", app.Get<IOptions<BrainOptions>>().Value.Timeframe);
        Assert.Equal(["BTC/USDT"], app.Get<NeuraTrade.Core.Trading.IExchange>().Markets);

        Assert.Equal(["BTC/USDT", "ETH/USDT", "SOL/USDT"], o.Symbols);
        Assert.Equal(3, o.MaxPositions);
        Assert.Equal("*/10 * * * * *", o.ScanSchedule);
        Assert.Equal(TimeSpan.FromMinutes(2), o.PositionHoldTime);
        Assert.Equal(100m, o.MaxDailyLoss);
        Assert.Equal(100m, o.MaxPositionSize);
        Assert.Equal("rules-v1", app.Get<ITradingBrain>().Model);
    }

    [Fact]
    public async Task A_profile_applies_its_preset_and_explicit_keys_still_win()
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, new Dictionary<string, string?>
        {
            ["Scalping:Profile"] = "Aggressive",
            ["Scalping:MaxDailyLoss"] = "150",
            ["Scalping:Symbols"] = "btc/usdt, eth/btc",
            ["ScalpingScanSchedule"] = "*/5 * * * * *",
        });
        var o = app.Get<IOptions<ScalpingOptions>>().Value;

        Assert.Equal("aggressive", o.Profile);
        Assert.Equal(5, o.MaxPositions);
        Assert.Equal(200m, o.MaxPositionSize);
        Assert.Equal(150m, o.MaxDailyLoss);
        Assert.Equal(TimeSpan.FromMinutes(1), o.PositionHoldTime);
        Assert.Equal(["BTC/USDT", "ETH/BTC"], o.Symbols);
        Assert.Equal("*/5 * * * * *", o.ScanSchedule);
    }

    [Theory]
    [InlineData("Scalping:Profile", "yolo", "Scalping:Profile")]
    [InlineData("ScalpingScanSchedule", "*/10 * * * *", "ScalpingScanSchedule")]
    [InlineData("Scalping:ScanSchedule", "*/10 * * * * *", "ScalpingScanSchedule")]
    [InlineData("Scalping:Symbols", "BTCUSDT", "Scalping:Symbols")]
    [InlineData("Scalping:ScanLeaseTime", "00:00:00", "Scalping:ScanLeaseTime")]
    [InlineData("Scalping:MaxDecisionAge", "-00:01:00", "Scalping:MaxDecisionAge")]
    [InlineData("AI:Provider", "gpt", "AI:Provider")]
    [InlineData("AI:Provider", "openai", "AI:Model")]
    [InlineData("AI:Provider", "anthropic", "AI:ApiKey")]
    [InlineData("AI:Provider", "ollama", "AI:Endpoint")]
    [InlineData("AI:Endpoint", "localhost:11434", "AI:Endpoint")]
    [InlineData("Exchange:Name", "binance", "Exchange:Name")]
    public async Task A_wrong_setting_fails_at_start_naming_the_key(string key, string value, string named)
    {
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            _ = app.Get<IOptions<ScalpingOptions>>().Value;
            _ = app.Get<IOptions<BrainOptions>>().Value;
            _ = app.Get<IOptions<PaperExchangeOptions>>().Value;
        });
        Assert.Contains(named, string.Join(" ", error.Failures), StringComparison.Ordinal);
    }

    /// <summary>
    /// A hold shorter than one candle the brain reads fails at start, naming both keys and the two fixes: the default hold
    /// on the 5m folder (the data's own timeframe), a 30 s hold on the default minute replay, the default hold with
    /// AI:Timeframe=5m made from minutes. One candle's hold starts.
    /// </summary>
    [Theory]
    [InlineData("data/candles", null, null, "Scalping:PositionHoldTime=00:02:00", "AI:Timeframe is not set, so the brain reads the data's own 5m candles", "Scalping__PositionHoldTime=00:05:00")]
    [InlineData(null, "00:00:30", null, "Scalping:PositionHoldTime=00:00:30", "the data's own 1m candles", "Scalping__PositionHoldTime=00:01:00")]
    [InlineData(null, null, "5m", "Scalping:PositionHoldTime=00:02:00", "(AI:Timeframe=5m)", "Scalping__PositionHoldTime=00:05:00")]
    [InlineData("data/candles", "00:05:00", null, null, null, null)]
    [InlineData(null, null, "2m", null, null, null)]
    public async Task A_hold_shorter_than_one_brain_candle_fails_at_start_naming_both_keys(string? directory, string? hold, string? timeframe, string? named, string? source, string? fix)
    {
        await using var app = TestApp.CreateWithDefaults(azurite, Start, new Dictionary<string, string?>
        {
            ["Exchange:ReplayDirectory"] = directory,
            ["Scalping:PositionHoldTime"] = hold,
            ["AI:Timeframe"] = timeframe,
        });

        if (named is null)
        {
            Assert.NotNull(app.Get<IOptions<BrainOptions>>().Value);
            return;
        }

        var error = Assert.Throws<OptionsValidationException>(() => app.Get<IOptions<BrainOptions>>().Value);
        var said = string.Join(" ", error.Failures);
        Assert.Contains(named, said, StringComparison.Ordinal);
        Assert.Contains(source!, said, StringComparison.Ordinal);
        Assert.Contains(fix!, said, StringComparison.Ordinal);
        Assert.Contains("Exchange__ReplayDirectory=data/replay", said, StringComparison.Ordinal);
    }

    [Fact]
    public void The_generated_functions_metadata_declares_the_seed_routes_and_the_timer()
    {
        // What the Functions host itself reads: generated by the worker SDK at build time.
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var bindings = doc.RootElement.EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings")[0]);

        Assert.Equal("v1/ai/analyze", bindings["AiAnalyze"].GetProperty("route").GetString());
        Assert.Equal("v1/ai/decision", bindings["AiDecision"].GetProperty("route").GetString());
        Assert.Equal("v1/ai/scalping/status", bindings["ScalpingStatus"].GetProperty("route").GetString());
        Assert.Equal("v1/ai/scalping/toggle", bindings["ScalpingToggle"].GetProperty("route").GetString());
        Assert.All(["AiAnalyze", "AiDecision", "ScalpingStatus", "ScalpingToggle"], name =>
            Assert.Equal("Function", bindings[name].GetProperty("authLevel").GetString()));
        Assert.Equal("%ScalpingScanSchedule%", bindings["ScalpingScan"].GetProperty("schedule").GetString());
        Assert.False(bindings["ScalpingScan"].TryGetProperty("runOnStartup", out var r) && r.GetBoolean());

        // The fan-out's queue trigger, on the queue the app enqueues to; the host's storage extension ships with the app.
        Assert.Equal("queueTrigger", bindings["ScalpingSymbolScan"].GetProperty("type").GetString());
        Assert.Equal("%ScalpingScanQueue%", bindings["ScalpingSymbolScan"].GetProperty("queueName").GetString());
        Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Queues", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "extensions.json")), StringComparison.Ordinal);
    }
}
