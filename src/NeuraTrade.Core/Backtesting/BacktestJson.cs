using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuraTrade.Core.Backtesting;

/// <summary>The <c>--json</c> document: <c>{ "schema", "metrics", "trades" }</c>, snake_case (docs/backtesting.md).</summary>
public static class BacktestJson
{
    public const string Schema = "neuratrade.backtest.v1";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(BacktestReport report) =>
        JsonSerializer.Serialize(new Document(Schema, report.Metrics, report.Trades), Options);

    public static async Task WriteAsync(BacktestReport report, string path, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Serialize(report), cancellationToken);

    private sealed record Document(string Schema, BacktestMetrics Metrics, IReadOnlyList<BacktestTrade> Trades);
}
