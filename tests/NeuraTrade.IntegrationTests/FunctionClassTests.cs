using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using NeuraTrade.Core.Brain;
using NeuraTrade.Functions;

namespace NeuraTrade.IntegrationTests;

/// <summary>The function classes called directly, as the Functions worker would: a request in, an IActionResult out.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionClassTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    public static readonly string[] SeedDecisionFields =
    [
        "id", "symbol", "strategy", "action", "side", "size_percent", "entry_price", "stop_loss", "take_profit",
        "confidence", "reasoning", "market_analysis", "risk_assessment", "model_used", "tokens_used", "created_at",
    ];

    [Fact]
    public async Task Decision_returns_the_seed_fields_and_is_journaled()
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var (status, json) = await CallAsync(ct => functions.Decision(Post("""{"symbol":"btc/usdt","strategy":"scalping"}"""), ct));

        Assert.Equal(200, status);
        foreach (var field in SeedDecisionFields)
        {
            Assert.True(json.TryGetProperty(field, out _), $"missing {field}");
        }

        Assert.Equal("BTC/USDT", json.GetProperty("symbol").GetString());
        Assert.Equal("rules-v1", json.GetProperty("model_used").GetString());
        Assert.Equal("api", json.GetProperty("source").GetString());
        var stored = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 5, CancellationToken.None));
        Assert.Equal(json.GetProperty("id").GetString(), stored.Id);
    }

    [Fact]
    public async Task Decision_trades_only_when_execute_is_asked_and_then_through_the_risk_gate()
    {
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);
        var positions = app.Get<NeuraTrade.Core.Scalping.IPositionStore>();

        var (_, advice) = await CallAsync(ct => functions.Decision(Post("""{"symbol":"BTC/USDT"}"""), ct));
        Assert.Equal("buy", advice.GetProperty("action").GetString());
        Assert.Empty(await positions.GetOpenAsync(CancellationToken.None));

        var (_, executed) = await CallAsync(ct => functions.Decision(Post("""{"symbol":"BTC/USDT","execute":true}"""), ct));
        Assert.Equal("pending", executed.GetProperty("outcome").GetString());
        var position = Assert.Single(await positions.GetOpenAsync(CancellationToken.None));
        Assert.Equal(executed.GetProperty("id").GetString(), position.DecisionId);

        var (_, again) = await CallAsync(ct => functions.Decision(Post("""{"symbol":"BTC/USDT","execute":true}"""), ct));
        Assert.Equal("hold", again.GetProperty("action").GetString());
        Assert.Single(await positions.GetOpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_executed_arbitrage_decision_opens_no_scalping_long_where_the_scalper_would_buy()
    {
        // The moment the scalping rule buys BTC/USDT: an arbitrage request there must not become that long.
        var buyAt = await TestApp.FirstBuyMomentAsync(azurite, "BTC/USDT", Start);
        await using var app = TestApp.Create(azurite, buyAt);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var (status, json) = await CallAsync(ct => functions.Decision(Post("""{"symbol":"BTC/USDT","strategy":"arbitrage","execute":true}"""), ct));

        Assert.Equal(200, status);
        Assert.Equal("arbitrage", json.GetProperty("strategy").GetString());
        Assert.Equal("hold", json.GetProperty("action").GetString());
        // The arbitrage engine read the bundled venues (0.1% fees): nothing clears the threshold, a HOLD without asking the brain.
        Assert.StartsWith("Not asked: no arbitrage worth trading: best is ", json.GetProperty("reasoning").GetString(), StringComparison.Ordinal);
        Assert.Equal(DecisionMaker.PreFilterModel, json.GetProperty("model_used").GetString());
        Assert.DoesNotContain("EMA", json.GetProperty("reasoning").GetString(), StringComparison.Ordinal);
        Assert.Empty(await app.Get<NeuraTrade.Core.Scalping.IPositionStore>().GetOpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Analyze_returns_analysis_reasoning_and_confidence()
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var (status, json) = await CallAsync(ct => functions.Analyze(Post("""{"symbol":"BTC/USDT"}"""), ct));

        Assert.Equal(200, status);
        Assert.Equal("BTC/USDT", json.GetProperty("symbol").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("analysis").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("reasoning").GetString()));
        Assert.InRange(json.GetProperty("confidence").GetDecimal(), 0m, 1m);
        Assert.True(json.GetProperty("indicators").GetProperty("ema_slow").GetDecimal() > 0m);
    }

    /// <summary>
    /// The rules brain over the replayed real data: the analysis and the decision carry the setup strength, which is
    /// <c>clamp((ema_fast − ema_slow) / atr / 2, 0, 1)</c> of the indicators the analysis shows; a HOLD over an uptrend it
    /// does not take has the confidence <c>0.95 − 0.4 × setup strength</c> (how sure holding is, README) and no hold reason;
    /// the journal keeps both numbers.
    /// </summary>
    [Fact]
    public async Task Analysis_and_decision_carry_the_setup_strength_and_a_hold_says_how_sure_holding_is()
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        // In 10 s steps (one replayed candle each) until the brain passes up an uptrend of some strength.
        for (var step = 0; step < 3_000; step++, app.Time.Advance(TimeSpan.FromSeconds(10)))
        {
            var (_, analysis) = await CallAsync(ct => functions.Analyze(Post("""{"symbol":"BTC/USDT"}"""), ct));
            var indicators = analysis.GetProperty("indicators");
            var s = (indicators.GetProperty("ema_fast").GetDecimal() - indicators.GetProperty("ema_slow").GetDecimal()) / indicators.GetProperty("atr").GetDecimal();
            var strength = Math.Round(Math.Clamp(s / 2m, 0m, 1m), 2);
            Assert.Equal(strength, analysis.GetProperty("setup_strength").GetDecimal());
            if (strength < 0.25m)
            {
                continue;
            }

            var (_, decision) = await CallAsync(ct => functions.Decision(Post("""{"symbol":"BTC/USDT"}"""), ct));
            Assert.Equal(strength, decision.GetProperty("setup_strength").GetDecimal());
            if (decision.GetProperty("action").GetString() != "hold" || !decision.GetProperty("reasoning").GetString()!.StartsWith("Uptrend but", StringComparison.Ordinal))
            {
                continue;
            }

            Assert.Equal(0.95m - (0.4m * strength), decision.GetProperty("confidence").GetDecimal());
            Assert.Equal(JsonValueKind.Null, decision.GetProperty("hold_reason").ValueKind);
            var stored = await app.Get<IDecisionStore>().GetByIdAsync(decision.GetProperty("id").GetString()!, CancellationToken.None);
            Assert.NotNull(stored);
            Assert.Equal((0.95m - (0.4m * strength), (decimal?)strength), (stored.Confidence, stored.SetupStrength));
            return;
        }

        Assert.Fail("the rules brain never passed up an uptrend of strength 0.25 or more in the replayed data");
    }

    [Theory]
    [InlineData("", "body")]
    [InlineData("not json", "body")]
    [InlineData("[1,2]", "body")]
    [InlineData("{}", "symbol")]
    [InlineData("""{"symbol":42}""", "symbol")]
    [InlineData("""{"symbol":"BTCUSDT"}""", "symbol")]
    [InlineData("""{"symbol":"DOGE/USDT"}""", "symbol")]
    [InlineData("""{"symbol":"BTC/USDT","strategy":"martingale"}""", "strategy")]
    public async Task Bad_decision_input_is_a_400_problem_naming_the_field(string body, string field)
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var (status, json, contentType) = await CallWithTypeAsync(ct => functions.Decision(Post(body), ct));

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(400, json.GetProperty("status").GetInt32());
        Assert.True(json.GetProperty("errors").TryGetProperty(field, out _), $"errors does not name {field}: {json}");
        Assert.Empty(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 5, CancellationToken.None));
    }

    [Fact]
    public async Task A_configured_symbol_without_market_data_is_a_422_problem()
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<AiFunctions>(app.Services);

        var (status, json) = await CallAsync(ct => functions.Analyze(Post("""{"symbol":"SOL/USDT"}"""), ct));

        Assert.Equal(422, status);
        Assert.Contains("SOL/USDT", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"enabled":"yes"}""")]
    [InlineData("""{"enabled":null}""")]
    public async Task Bad_toggle_input_is_a_400_naming_enabled(string body)
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);

        var (status, json) = await CallAsync(ct => functions.Toggle(Post(body), ct));

        Assert.Equal(400, status);
        Assert.True(json.GetProperty("errors").TryGetProperty("enabled", out _));
    }

    [Fact]
    public async Task Toggle_then_status_reads_the_stored_state_and_the_timer_honours_it()
    {
        await using var app = TestApp.Create(azurite, Start);
        var functions = ActivatorUtilities.CreateInstance<ScalpingFunctions>(app.Services);

        var (_, toggled) = await CallAsync(ct => functions.Toggle(Post("""{"enabled":false}"""), ct));
        Assert.False(toggled.GetProperty("active").GetBoolean());

        await functions.Scan(new TimerInfo(), CancellationToken.None);
        var (status, json) = await CallAsync(ct => functions.Status(new DefaultHttpContext().Request, ct));

        Assert.Equal(200, status);
        Assert.False(json.GetProperty("active").GetBoolean());
        Assert.Equal(TestApp.MarketTimeAt(Start), json.GetProperty("last_scan_at").GetDateTimeOffset());
        Assert.StartsWith("skipped", json.GetProperty("last_scan_result").GetString(), StringComparison.Ordinal);
        Assert.Equal(["BTC/USDT", "ETH/USDT", "SOL/USDT"], json.GetProperty("symbols").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, json.GetProperty("open_positions").GetArrayLength());
        Assert.Empty(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 5, CancellationToken.None));

        await CallAsync(ct => functions.Toggle(Post("""{"enabled":true}"""), ct));
        await functions.Scan(new TimerInfo(), CancellationToken.None);
        var decision = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync("BTC/USDT", 5, CancellationToken.None));
        Assert.Equal(DecisionSource.Scan, decision.Source);
    }

    internal static HttpRequest Post(string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        return context.Request;
    }

    private static async Task<(int Status, JsonElement Json)> CallAsync(Func<CancellationToken, Task<IActionResult>> call)
    {
        var (status, json, _) = await CallWithTypeAsync(call);
        return (status, json);
    }

    private static async Task<(int Status, JsonElement Json, string? ContentType)> CallWithTypeAsync(Func<CancellationToken, Task<IActionResult>> call)
    {
        var result = Assert.IsType<ContentResult>(await call(CancellationToken.None));
        return (result.StatusCode ?? 200, JsonDocument.Parse(result.Content!).RootElement.Clone(), result.ContentType);
    }
}
