using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using NeuraTrade.Cli.LocalHost;

namespace NeuraTrade.IntegrationTests;

/// <summary><c>serve</c>'s <c>logs/ai_trading.log</c>: what it writes, and how it rolls by UTC day and by size without losing a line.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RollingFileLogTests(AzuriteFixture azurite)
{
    [Fact]
    public void The_file_rolls_at_the_utc_day_and_at_its_size_and_keeps_every_line()
    {
        var dir = Directory.CreateTempSubdirectory("nt-logs-");
        try
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 59, 0, TimeSpan.Zero));
            using (var provider = new RollingFileLoggerProvider(dir.FullName, "ai_trading", time, maxBytes: 1024))
            {
                var logger = provider.CreateLogger("NeuraTrade.Test");
                logger.LogInformation(new EventId(1001, "Decision"), "AI Scalping line {Number}", 0);
                time.Advance(TimeSpan.FromMinutes(2)); // 2026-03-03 00:01 UTC
                for (var i = 1; i <= 40; i++)
                {
                    logger.LogInformation(new EventId(1001, "Decision"), "AI Scalping line {Number}", i);
                }
            }

            var previousDay = Read(Path.Combine(dir.FullName, "ai_trading-20260302-1.log"));
            Assert.Equal(["line 0"], Lines(previousDay));
            Assert.Contains("2026-03-02T23:59:00.000Z INFO  NeuraTrade.Test[1001] AI Scalping line 0", previousDay, StringComparison.Ordinal);

            var files = dir.GetFiles("*.log").Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
            Assert.Contains("ai_trading.log", files);
            Assert.Contains("ai_trading-20260303-1.log", files); // 40 lines of ~75 bytes do not fit in 1 KiB
            Assert.All(dir.GetFiles("*.log"), f => Assert.InRange(f.Length, 1, 1024));

            // Every line once, in order, across the rolled files of the day and the current one.
            var today = files.Where(f => f.StartsWith("ai_trading-20260303-", StringComparison.Ordinal))
                .OrderBy(f => int.Parse(f.Split('-')[2].Split('.')[0], System.Globalization.CultureInfo.InvariantCulture))
                .Append("ai_trading.log")
                .SelectMany(f => Lines(Read(Path.Combine(dir.FullName, f))));
            Assert.Equal(Enumerable.Range(1, 40).Select(i => $"line {i}"), today);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Serve_writes_each_decision_to_logs_ai_trading_log_with_the_AI_Scalping_prefix()
    {
        var dir = Directory.CreateTempSubdirectory("nt-serve-logs-");
        try
        {
            string id;
            await using (var host = await LoopbackFunctionHost.StartAsync(azurite, new Dictionary<string, string?> { ["LocalHost:LogDirectory"] = dir.FullName, ["ScalpingScanSchedule"] = "0 0 0 1 1 *" }))
            {
                using var response = await host.Http.PostAsJsonAsync(new Uri("/api/v1/ai/decision", UriKind.Relative), new { symbol = "BTC/USDT" });
                id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            }

            var line = Assert.Single(Read(Path.Combine(dir.FullName, "ai_trading.log")).Split('\n'), l => l.Contains(id, StringComparison.Ordinal) && l.Contains("[1001]", StringComparison.Ordinal));
            Assert.Contains($"AI Scalping decision {id} BTC/USDT Scalping", line, StringComparison.Ordinal);
            Assert.DoesNotContain("(null)", line, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[(l.IndexOf("AI Scalping ", StringComparison.Ordinal) + "AI Scalping ".Length)..].TrimEnd('\r'));
}
