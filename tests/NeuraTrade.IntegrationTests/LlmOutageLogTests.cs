using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NeuraTrade.Core.Brain;
using NeuraTrade.Core.Scalping;
using Xunit.Abstractions;

namespace NeuraTrade.IntegrationTests;

/// <summary>
/// The LLM endpoint down during a scan (a loopback port that refuses connections, or a server answering 503): an
/// expected, handled failure. Each symbol logs one short Warning line naming the provider, the reason and the
/// retry and breaker state, not a stack trace; the stack is still there at Debug.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class LlmOutageLogTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int MaxLine = 400;
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    // Three markets recorded over the same days (the replay shows every traded symbol on one market clock).
    private static readonly string[] Symbols = ["ETH/BTC", "LTC/BTC", "XMR/BTC"];

    [Theory]
    [InlineData("refused")]
    [InlineData("503")]
    public async Task A_scan_with_the_llm_down_logs_one_short_warning_per_symbol_and_the_stack_at_debug(string outage)
    {
        await using var llm = await DownLlm.StartAsync(outage);
        var logs = new CapturedLogs();
        await using var app = TestApp.Create(azurite, Start, new Dictionary<string, string?>
        {
            ["AI:Provider"] = "openai",
            ["AI:Model"] = "gpt-4o-mini",
            ["AI:ApiKey"] = "sk-test-not-a-real-key",
            ["AI:Endpoint"] = llm.Endpoint,
            ["AI:MaxRetries"] = "2",
            ["AI:RetryBaseDelayMs"] = "0",
            ["Scalping:Symbols"] = string.Join(',', Symbols),
        }, logs);

        var report = await app.Get<ScalpingEngine>().RunScanAsync(CancellationToken.None);

        foreach (var entry in logs.Entries.Where(e => e.Level >= LogLevel.Information))
        {
            output.WriteLine($"{entry.Level} {entry.Category}: {entry.Text}");
        }

        // Every symbol asked the LLM and held because it was down.
        var held = new List<string>();
        foreach (var symbol in Symbols)
        {
            var decision = Assert.Single(await app.Get<IDecisionStore>().GetLatestAsync(symbol, 10, CancellationToken.None));
            Assert.Equal(TradeAction.Hold, decision.Action);
            Assert.StartsWith("LLM unavailable", decision.HoldReason, StringComparison.Ordinal);
            held.Add(symbol);
        }

        Assert.Equal(Symbols, report.Symbols.Select(s => s.Symbol));
        Assert.Equal(Symbols, held);

        // One Warning line per symbol and nothing else at Warning or above: short, no stack frames, and it says who
        // failed (provider, model, symbol), why (the kind and the reason), and the retry and breaker state.
        var warnings = logs.AtLeast(LogLevel.Warning);
        Assert.Equal(Symbols.Length, warnings.Count);
        foreach (var symbol in Symbols)
        {
            var line = Assert.Single(warnings, w => w.Message.Contains($" for {symbol} ", StringComparison.Ordinal));
            Assert.Equal(LogLevel.Warning, line.Level);
            Assert.Null(line.Exception);
            Assert.True(line.Text.Length < MaxLine, $"{line.Text.Length} chars: {line.Text}");
            Assert.DoesNotContain("   at ", line.Text, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', line.Text);
            Assert.Contains("LLM openai gpt-4o-mini unavailable", line.Text, StringComparison.Ordinal);
            Assert.Matches("after [0-3] of 3 attempts, circuit breaker (closed|open for [0-9]+ s|half-open); holding: ", line.Text);
            Assert.Matches(
                outage == "refused"
                    ? "holding: (network|circuit_open): .*Connection refused \\(127\\.0\\.0\\.1:[0-9]+\\)$"
                    : "holding: (server_error|circuit_open): .*HTTP 503 \\(server_error: \\) The server is overloaded$",
                line.Text);
        }

        // The attempts each line counts are the calls made; four failures open the breaker, and the lines say so.
        var attempts = warnings.Sum(w => int.Parse(AttemptsMade().Match(w.Message).Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.InRange(attempts, 4, Symbols.Length * 3);
        if (llm.Requests is { } requests)
        {
            Assert.Equal(requests, attempts);
        }

        Assert.Contains(warnings, w => w.Message.Contains("circuit breaker open for ", StringComparison.Ordinal));

        // The stack is kept at Debug, once per failed symbol, with the exception the Warning line describes.
        var stacks = logs.Entries.Where(e => e.Level == LogLevel.Debug && e.Exception is LlmUnavailableException).ToList();
        Assert.Equal(Symbols.Length, stacks.Count);
        Assert.All(stacks, s => Assert.Contains("   at ", s.Text, StringComparison.Ordinal));
    }

    [GeneratedRegex("after ([0-9]+) of ")]
    private static partial Regex AttemptsMade();

    /// <summary>An OpenAI endpoint that is down: a port nothing listens on, or a server answering every call with 503.</summary>
    private sealed class DownLlm : IAsyncDisposable
    {
        private readonly WebApplication? _app;
        private int _requests;

        private DownLlm(WebApplication? app)
        {
            _app = app;
        }

        public string Endpoint { get; private set; } = string.Empty;

        /// <summary>Calls the 503 server answered; null for the refused port (no call gets through).</summary>
        public int? Requests => _app is null ? null : Volatile.Read(ref _requests);

        public static async Task<DownLlm> StartAsync(string outage)
        {
            if (outage == "refused")
            {
                // A port just released by the OS: nothing listens there, so a connection is refused at once.
                using var probe = new TcpListener(IPAddress.Loopback, 0);
                probe.Start();
                var port = ((IPEndPoint)probe.LocalEndpoint).Port;
                probe.Stop();
                return new DownLlm(null) { Endpoint = $"http://127.0.0.1:{port}/v1" };
            }

            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var down = new DownLlm(app);
            app.Run(ctx =>
            {
                Interlocked.Increment(ref down._requests);
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return ctx.Response.WriteAsJsonAsync(new { error = new { message = "The server is overloaded", type = "server_error" } });
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            down.Endpoint = address + "/v1";
            return down;
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync();
                await _app.DisposeAsync();
            }
        }
    }
}
