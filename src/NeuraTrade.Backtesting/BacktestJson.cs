using System.Text.Json;
using System.Text.Json.Serialization;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The <c>--json</c> document: <c>{ "schema", "metrics", "trades", "open_positions", "dust", "reconciliation" }</c>,
/// snake_case (docs/backtesting.md). The last three were added to v1 without renaming it, and so were the metrics'
/// <c>timeframe</c>, <c>brain_timeframe</c>, <c>why_no_decisions</c> and <c>screened</c>: readers of v1 see new keys only.
/// </summary>
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
        JsonSerializer.Serialize(new Document(Schema, report.Metrics, report.Trades, report.OpenPositions, report.Dust, report.Reconciliation), Options);

    public static async Task WriteAsync(BacktestReport report, string path, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Serialize(report), cancellationToken);

    private sealed record Document(
        string Schema,
        BacktestMetrics Metrics,
        IReadOnlyList<BacktestTrade> Trades,
        IReadOnlyList<BacktestOpenPosition> OpenPositions,
        IReadOnlyList<BacktestDust> Dust,
        BacktestReconciliation Reconciliation);
}
