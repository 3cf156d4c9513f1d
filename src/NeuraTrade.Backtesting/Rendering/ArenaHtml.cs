using System.Globalization;
using System.Net;
using System.Text;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The arena's <c>--html</c> page, self-contained like the backtest's (inline CSS and SVG, no script, no external
/// resource): the leaderboard, every entrant's equity curve on one chart beside buy-and-hold, and the entrants'
/// reliability diagrams side by side.
/// </summary>
public static class ArenaHtml
{
    private static readonly string[] Colors = ["#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e"];

    public static async Task WriteAsync(IReadOnlyList<ArenaRow> board, IReadOnlyList<ArenaRun> runs, string path, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Render(board, runs), cancellationToken);

    public static string Render(IReadOnlyList<ArenaRow> board, IReadOnlyList<ArenaRun> runs)
    {
        ArgumentNullException.ThrowIfNull(board);
        ArgumentNullException.ThrowIfNull(runs);
        var html = new StringBuilder();
        var m = runs.Count > 0 ? runs[0].Report.Metrics : null;
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>NeuraTrade arena</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
            .Append("table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}th:nth-child(2),td:nth-child(2){text-align:left}")
            .Append("svg{background:#fafafa;border:1px solid #ddd;margin:4px}.legend span{margin-right:16px}")
            .Append("</style></head><body>");
        html.Append(H($"<h1>Arena: {E(m is null ? "no runs" : string.Join(", ", m.Symbols))}, {board.Count} entrants</h1>"));
        if (m is not null)
        {
            html.Append(H($"<p>{m.From:yyyy-MM-dd HH:mm} → {m.To:yyyy-MM-dd HH:mm} UTC, {m.Candles} candles, profile {E(m.Profile)}; every entrant traded the same candles through the same engine, risk gate and fills.</p>"));
        }

        html.Append("<h2>Leaderboard</h2><table id=\"leaderboard\"><tr><th>#</th><th>brain</th><th>net return</th><th>buy-and-hold</th><th>Sharpe</th><th>max DD</th><th>trades</th><th>win rate</th><th>Brier</th><th>calib. error</th><th>LLM calls</th><th>tokens in / out</th><th>cost</th><th>cost / trade</th><th>screened</th><th>missed by screen</th></tr>");
        foreach (var r in board)
        {
            html.Append(H($"<tr><td>{r.Rank}</td><td>{E(r.Name)}</td><td>{r.NetReturnPercent:0.####}%</td><td>{r.BuyAndHoldReturnPercent:0.####}%</td><td>{r.Sharpe:0.##}</td><td>{r.MaxDrawdownPercent:0.####}%</td><td>{r.Trades}</td><td>{r.WinRatePercent:0.##}%</td>"));
            html.Append(H($"<td>{Opt(r.BrierScore)}</td><td>{Opt(r.CalibrationError)}</td><td>{r.LlmCalls}</td><td>{r.InputTokens} / {r.OutputTokens}</td><td>${r.CostUsd:0.####}</td><td>{(r.CostPerTradeUsd is { } c ? H($"${c:0.######}") : "n/a")}</td><td>{r.Screened}</td><td>{(r.MissedByScreen is { } missed ? missed.ToString(CultureInfo.InvariantCulture) : "n/a")}</td></tr>"));
        }

        html.Append("</table>");
        var points = runs.SelectMany(r => r.Report.Equity).ToList();
        if (points.Count > 0)
        {
            var first = points.Min(e => e.At);
            var last = points.Max(e => e.At);
            var lo = points.Min(e => Math.Min(e.Equity, e.BuyAndHold));
            var hi = points.Max(e => Math.Max(e.Equity, e.BuyAndHold));
            var lines = new List<string> { BacktestHtml.Line(BacktestHtml.Sample(runs[0].Report.Equity).Select(e => (e.At, e.BuyAndHold)), first, last, lo, hi, "#999", "buy-and-hold") };
            html.Append("<h2>Equity</h2><p class=\"legend\"><span style=\"color:#999\">■ buy-and-hold</span>");
            for (var i = 0; i < runs.Count; i++)
            {
                var color = Colors[i % Colors.Length];
                html.Append(H($"<span style=\"color:{color}\">■ {E(runs[i].Name)}</span>"));
                lines.Add(BacktestHtml.Line(BacktestHtml.Sample(runs[i].Report.Equity).Select(e => (e.At, e.Equity)), first, last, lo, hi, color, E(runs[i].Name)));
            }

            html.Append("</p>").Append(BacktestHtml.Svg("equity", lo, hi, lines));
        }

        html.Append("<h2>Calibration: does a stated confidence win that often?</h2><div class=\"reliability-diagrams\">");
        foreach (var run in runs)
        {
            html.Append(ReliabilityDiagram.Svg(run.Calibration, run.Name));
        }

        html.Append("</div></body></html>\n");
        return html.ToString();
    }

    private static string Opt(decimal? value) => value is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "n/a";

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string H(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
