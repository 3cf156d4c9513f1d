using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using NeuraTrade.TestSupport;

namespace NeuraTrade.Backtesting.Tests;

/// <summary>
/// <c>neuratrade arena</c> as a user runs it: the rules brain beside an OpenAI model (a loopback server speaking chat
/// completions that buys at the ask on every prompt), with and without the economy screen, over one day of the bundled
/// BTC/USDT 5m candles. The model's calls are recorded to a cassette; the same arena re-run from that cassette
/// (<c>replay:</c>) calls nothing and gives the same leaderboard to the last figure.
/// </summary>
public sealed class ArenaCliTests
{
    private static readonly string[] Figures =
    [
        "net_return_percent", "buy_and_hold_return_percent", "sharpe", "max_drawdown_percent", "trades", "win_rate_percent",
        "brier_score", "calibration_error", "llm_calls", "input_tokens", "output_tokens", "cost_usd", "cost_per_trade_usd",
        "decisions", "screened", "missed_by_screen", "screen_return_delta", "calls_saved",
    ];

    [Fact]
    public async Task An_llm_arena_records_its_calls_and_replays_to_the_same_leaderboard_without_calling_the_model()
    {
        var requests = 0;
        await using var llm = await LoopbackChatServer.StartAsync(
            body =>
            {
                Interlocked.Increment(ref requests);
                var prompt = DecisionAnswers.Prompt(body);
                return (new JsonObject { ["role"] = "assistant", ["content"] = DecisionAnswers.BuyAtAsk(DecisionAnswers.Symbol(prompt), DecisionAnswers.Ask(prompt), "scripted") }, "stop");
            },
            promptTokens: 1000,
            completionTokens: 100);
        var dir = Directory.CreateTempSubdirectory("nt-arena-");
        try
        {
            var cassettes = Path.Combine(dir.FullName, "cassettes");
            var recorded = await ArenaAsync(dir, llm.Endpoint, "rules,llm:openai/gpt-4o-mini", cassettes, "recorded");
            var calls = requests;
            var cassette = Path.Combine(cassettes, "openai-gpt-4o-mini.cassette.jsonl");
            var replayed = await ArenaAsync(dir, llm.Endpoint, $"rules,replay:{cassette}", cassettes, "replayed");

            Assert.True(calls > 0);
            Assert.Equal(calls, requests);
            var board = recorded.Root["leaderboard"]!.AsArray();
            Assert.Equal(["llm:openai/gpt-4o-mini", "llm:openai/gpt-4o-mini (no screen)", "rules"], board.Select(r => r!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            Assert.Equal([1, 2, 3], board.Select(r => r!["rank"]!.GetValue<int>()));

            var screened = Row(board, "llm:openai/gpt-4o-mini");
            var unscreened = Row(board, "llm:openai/gpt-4o-mini (no screen)");
            Assert.True(screened["screened"]!.GetValue<int>() > 0);
            Assert.Equal(0, unscreened["screened"]!.GetValue<int>());
            Assert.Equal(unscreened["llm_calls"]!.GetValue<int>() - screened["llm_calls"]!.GetValue<int>(), screened["calls_saved"]!.GetValue<int>());
            Assert.Equal(screened["missed_by_screen"]!.GetValue<int>(), unscreened["missed_by_screen"]!.GetValue<int>());
            // 1,000 tokens in and 100 out per call at gpt-4o-mini's price ($0.15 and $0.60 per million): $0.00021 a call.
            Assert.Equal(unscreened["llm_calls"]!.GetValue<int>() * 0.00021m, unscreened["cost_usd"]!.GetValue<decimal>());

            // The replayed board: the same figures for every entrant, in the same order.
            var again = replayed.Root["leaderboard"]!.AsArray();
            foreach (var (first, second) in board.Zip(again))
            {
                foreach (var figure in Figures)
                {
                    Assert.True(JsonNode.DeepEquals(first![figure], second![figure]), $"{first!["name"]} {figure}: recorded {first[figure]}, replayed {second![figure]}");
                }
            }

            Assert.Equal(3, CountOf(recorded.Html, "<svg class=\"reliability\""));
            Assert.Contains("id=\"leaderboard\"", recorded.Html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", recorded.Html, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task An_unknown_brain_is_refused_with_the_forms_it_takes()
    {
        var dir = Directory.CreateTempSubdirectory("nt-arena-");
        try
        {
            var (code, _, stderr) = await RunCliAsync(dir, null, ["arena", "--data", Bundled.BtcPath, "--brains", "rules,gpt-4o"]);
            Assert.Equal(2, code);
            Assert.Contains("'gpt-4o' is not an arena brain: use rules, llm:PROVIDER/MODEL", stderr, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static JsonObject Row(JsonArray board, string name) => board.Select(r => r!.AsObject()).Single(r => r["name"]!.GetValue<string>() == name);

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    private static async Task<(JsonNode Root, string Html)> ArenaAsync(DirectoryInfo dir, string endpoint, string brains, string cassettes, string name)
    {
        var json = Path.Combine(dir.FullName, $"{name}.json");
        var html = Path.Combine(dir.FullName, $"{name}.html");
        var (code, stdout, stderr) = await RunCliAsync(dir, endpoint, ["arena", "--data", Bundled.BtcPath, "--from", "2023-01-20", "--to", "2023-01-21", "--brains", brains, "--screen", "both", "--cassettes", cassettes, "--json", json, "--html", html]);
        Assert.True(code == 0, $"exit code {code}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        return (JsonNode.Parse(await File.ReadAllTextAsync(json))!, await File.ReadAllTextAsync(html));
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunCliAsync(DirectoryInfo dir, string? endpoint, string[] args)
    {
        var start = new ProcessStartInfo(CtrlCTests.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir.FullName };
        start.Environment["Scalping__PositionHoldTime"] = "00:05:00";
        if (endpoint is not null)
        {
            start.Environment["AI__Endpoint"] = endpoint;
            start.Environment["AI__ApiKey"] = "sk-test-not-a-real-key";
            start.Environment["AI__RetryBaseDelayMs"] = "1";
        }

        start.ArgumentList.Add(CtrlCTests.CliDll());
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var cli = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var stdout = cli.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = cli.StandardError.ReadToEndAsync(timeout.Token);
        await cli.WaitForExitAsync(timeout.Token);
        return (cli.ExitCode, await stdout, await stderr);
    }
}
