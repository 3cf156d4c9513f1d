using System.Globalization;
using System.Net;
using System.Text;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The <c>--html</c> page: one self-contained file (inline CSS and SVG, no script, no external resource), so it
/// opens offline in any browser. Equity against buy-and-hold, drawdown, each market's closes with the trades
/// marked, then the metrics, the positions still open and the dust at the end, the books against the paper account, exit
/// reasons, calibration and the trades.
/// </summary>
public static class BacktestHtml
{
    private const int Width = 1000;
    private const int Height = 260;
    private const int MaxPoints = 1500;
    private const int MaxTradeRows = 500;

    public static async Task WriteAsync(BacktestReport report, string path, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Render(report), cancellationToken);

    public static string Render(BacktestReport report)
    {
        var m = report.Metrics;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>NeuraTrade backtest</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
            .Append("table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append("svg{background:#fafafa;border:1px solid #ddd}.legend span{margin-right:16px}.eq{color:#1565c0}.bh{color:#888}")
            .Append("</style></head><body>");
        html.Append(H($"<h1>Backtest: {string.Join(", ", m.Symbols)}, {m.Brain}, profile {m.Profile}</h1>"));
        html.Append(H($"<p>{m.From:yyyy-MM-dd HH:mm} → {m.To:yyyy-MM-dd HH:mm} UTC, {m.Candles} candles{(m.Partial ? " (stopped early: partial report)" : string.Empty)}.</p>"));

        var first = report.Equity.Count > 0 ? report.Equity[0].At : DateTimeOffset.UnixEpoch;
        var last = report.Equity.Count > 0 ? report.Equity[^1].At : first.AddMinutes(1);
        html.Append("<h2>Equity and buy-and-hold</h2><p class=\"legend\"><span class=\"eq\">■ strategy</span><span class=\"bh\">■ buy-and-hold</span></p>");
        var equity = Sample(report.Equity).ToList();
        var lo = equity.Count > 0 ? equity.Min(e => Math.Min(e.Equity, e.BuyAndHold)) : 0m;
        var hi = equity.Count > 0 ? equity.Max(e => Math.Max(e.Equity, e.BuyAndHold)) : 1m;
        html.Append(Svg("equity", lo, hi, [
            Line(equity.Select(e => (e.At, e.Equity)), first, last, lo, hi, "#1565c0", "equity"),
            Line(equity.Select(e => (e.At, e.BuyAndHold)), first, last, lo, hi, "#888", "buy-and-hold"),
        ]));

        html.Append("<h2>Drawdown</h2>");
        var peak = m.StartingBalance;
        var drawdown = new List<(DateTimeOffset, decimal)>();
        foreach (var e in report.Equity)
        {
            peak = Math.Max(peak, e.Equity);
            drawdown.Add((e.At, peak > 0m ? -(peak - e.Equity) / peak * 100m : 0m));
        }

        var ddSample = Sample(drawdown).ToList();
        var ddLow = ddSample.Count > 0 ? Math.Min(-0.01m, ddSample.Min(d => d.Item2)) : -1m;
        html.Append(Svg("drawdown", ddLow, 0m, [Line(ddSample, first, last, ddLow, 0m, "#c62828", "drawdown %")]));

        foreach (var market in report.Markets)
        {
            var closes = Sample(market.Candles.Where(c => c.OpenTime >= first.AddHours(-1) && c.OpenTime <= last).Select(c => (c.OpenTime, c.Close))).ToList();
            if (closes.Count == 0)
            {
                continue;
            }

            var trades = report.Trades.Where(t => t.Symbol == market.Symbol).ToList();
            var plo = Math.Min(closes.Min(c => c.Item2), trades.Count > 0 ? trades.Min(t => Math.Min(t.EntryPrice, t.ExitPrice)) : decimal.MaxValue);
            var phi = Math.Max(closes.Max(c => c.Item2), trades.Count > 0 ? trades.Max(t => Math.Max(t.EntryPrice, t.ExitPrice)) : decimal.MinValue);
            var marks = new StringBuilder();
            foreach (var t in trades.Take(2000))
            {
                marks.Append(H($"<circle class=\"entry\" cx=\"{X(t.EntryTime, first, last):0.#}\" cy=\"{Y(t.EntryPrice, plo, phi):0.#}\" r=\"2.5\" fill=\"#2e7d32\"><title>{t.DecisionId} entry {t.EntryPrice}</title></circle>"));
                marks.Append(H($"<circle class=\"exit\" cx=\"{X(t.ExitTime, first, last):0.#}\" cy=\"{Y(t.ExitPrice, plo, phi):0.#}\" r=\"2.5\" fill=\"{(t.Pnl > 0m ? "#1565c0" : "#c62828")}\"><title>{t.DecisionId} {t.ExitReason} {t.ExitPrice} PnL {t.Pnl:0.####}</title></circle>"));
            }

            html.Append(H($"<h2>{E(market.Symbol)}: closes and trades (green entry; exit blue win, red loss)</h2>"));
            html.Append(Svg("price", plo, phi, [Line(closes, first, last, plo, phi, "#444", "close"), marks.ToString()]));
        }

        html.Append("<h2>Metrics</h2><table>");
        Row(html, "net return after fees and slippage", $"{m.NetReturnPercent:0.####}%");
        Row(html, "buy-and-hold", $"{m.BuyAndHoldReturnPercent:0.####}%");
        Row(html, "rules baseline", m.RulesBaselineReturnPercent is { } b ? $"{b:0.####}%" : "n/a");
        Row(html, "final equity", $"{m.FinalEquity:0.##} (from {m.StartingBalance:0.##})");
        Row(html, "Sharpe / Sortino (annualized)", $"{m.Sharpe:0.###} / {m.Sortino:0.###}");
        Row(html, "max drawdown", $"{m.MaxDrawdownPercent:0.####}%");
        Row(html, "trades / win rate", $"{m.Trades} / {m.WinRatePercent:0.##}%");
        Row(html, "profit factor / expectancy", $"{(m.ProfitFactor is { } pf ? pf.ToString("0.###", CultureInfo.InvariantCulture) : "n/a")} / {m.Expectancy:0.####}");
        Row(html, "fees paid", $"{m.TotalFees:0.####}");
        Row(html, "average hold / exposure", $"{m.AverageHoldMinutes:0.#} min / {m.ExposurePercent:0.##}%");
        Row(html, "decisions", m.WhyNoDecisions is { } why ? $"0: {why}" : $"{m.Decisions}");
        Row(html, "candles (data / brain)", m.BrainTimeframe == m.Timeframe ? m.Timeframe : $"{m.Timeframe} / {m.BrainTimeframe}, made from the {m.Timeframe} data");
        Row(html, "LLM calls / tokens in, out / cost", $"{m.Llm.Calls} / {m.Llm.InputTokens}, {m.Llm.OutputTokens} / ${m.Llm.CostUsd:0.####}");
        Row(html, "open at the end / dust parts", $"{report.OpenPositions.Count} / {report.Dust.Count}");
        Row(html, "books against the paper account", report.Reconciliation.Agrees ? "agree" : "DISAGREE");
        html.Append("</table>");
        Books(html, report);
        html.Append("<h2>Exit reasons</h2><table>");
        foreach (var (reason, count) in m.ExitReasons)
        {
            Row(html, reason, count.ToString(CultureInfo.InvariantCulture));
        }

        html.Append("</table><h2>Calibration</h2><table><tr><th>confidence</th><th>trades</th><th>wins</th><th>win rate</th><th>avg PnL</th></tr>");
        foreach (var c in m.Calibration)
        {
            html.Append(H($"<tr><td>{c.From:0.0}–{c.To:0.0}</td><td>{c.Trades}</td><td>{c.Wins}</td><td>{c.WinRate:0.##}%</td><td>{c.AveragePnl:0.####}</td></tr>"));
        }

        html.Append("</table><h2 id=\"reliability\">Reliability: stated confidence against the win rate</h2><div class=\"reliability\">");
        foreach (var group in m.ReliabilityByModel.DefaultIfEmpty(new Core.Learning.CalibrationGroup(m.Brain, m.Reliability)))
        {
            html.Append(ReliabilityDiagram.Svg(group.Table, $"{group.Key}: does a stated 0.8 win 80%?"));
        }

        html.Append(H($"</div><table><tr><th>model</th><th>confidence</th><th>trades</th><th>stated</th><th>won</th><th>95% interval</th></tr>"));
        foreach (var group in m.ReliabilityByModel)
        {
            foreach (var bucket in group.Table.Buckets)
            {
                html.Append(H($"<tr><td>{E(group.Key)}</td><td>{bucket.From:0.0}–{bucket.To:0.0}</td><td>{bucket.Count}</td><td>{bucket.MeanConfidence:0.###}</td><td>{bucket.WinRate:0.###}</td><td>{bucket.Low95:0.###}–{bucket.High95:0.###}</td></tr>"));
            }
        }

        html.Append(H($"</table><h2>Trades (first {Math.Min(MaxTradeRows, report.Trades.Count)} of {report.Trades.Count})</h2>"));
        html.Append("<table><tr><th>decision</th><th>symbol</th><th>side</th><th>entry (UTC)</th><th>entry</th><th>exit (UTC)</th><th>exit</th><th>fees</th><th>PnL</th><th>reason</th></tr>");
        foreach (var t in report.Trades.Take(MaxTradeRows))
        {
            html.Append(H($"<tr><td>{t.DecisionId}</td><td>{E(t.Symbol)}</td><td>{t.Side}</td><td>{t.EntryTime:yyyy-MM-dd HH:mm:ss}</td><td>{t.EntryPrice}</td><td>{t.ExitTime:yyyy-MM-dd HH:mm:ss}</td><td>{t.ExitPrice}</td><td>{t.Fees:0.####}</td><td>{t.Pnl:0.####}</td><td>{t.ExitReason}</td></tr>"));
        }

        html.Append("</table></body></html>\n");
        return html.ToString();
    }

    /// <summary>Open positions and dust at the end, then the reconciliation, currency by currency and in equity.</summary>
    private static void Books(StringBuilder html, BacktestReport report)
    {
        html.Append(H($"<h2 id=\"open-positions\">Positions open at the end ({report.OpenPositions.Count})</h2>"));
        if (report.OpenPositions.Count > 0)
        {
            html.Append("<table><tr><th>id</th><th>symbol</th><th>side</th><th>opened (UTC)</th><th>amount</th><th>entry</th><th>mark</th><th>unrealized PnL</th></tr>");
            foreach (var p in report.OpenPositions)
            {
                html.Append(H($"<tr><td>{E(p.Id)}</td><td>{E(p.Symbol)}</td><td>{p.Side}</td><td>{p.OpenedAt:yyyy-MM-dd HH:mm:ss}</td><td>{p.Amount}</td><td>{p.EntryPrice}</td><td>{p.MarkPrice}</td><td>{p.UnrealizedPnl:0.########}</td></tr>"));
            }

            html.Append("</table>");
        }

        html.Append(H($"<h2 id=\"dust\">Dust: closed in the books, coins still held ({report.Dust.Count})</h2>"));
        if (report.Dust.Count > 0)
        {
            html.Append("<table><tr><th>id</th><th>symbol</th><th>closed (UTC)</th><th>amount</th><th>booked at</th><th>mark</th><th>value</th></tr>");
            foreach (var d in report.Dust)
            {
                html.Append(H($"<tr><td>{E(d.Id)}</td><td>{E(d.Symbol)}</td><td>{d.ClosedAt:yyyy-MM-dd HH:mm:ss}</td><td>{d.Amount}</td><td>{d.ExitPrice}</td><td>{d.MarkPrice}</td><td>{d.Value:0.########}</td></tr>"));
            }

            html.Append("</table>");
        }

        var r = report.Reconciliation;
        html.Append(H($"<h2 id=\"reconciliation\">Books against the paper account: {(r.Agrees ? "agree" : "DISAGREE")} ({r.Fills} fills)</h2>"));
        html.Append("<table><tr><th>currency</th><th>books</th><th>account</th><th>difference</th><th>tolerance</th><th>verdict</th></tr>");
        foreach (var c in r.Currencies)
        {
            html.Append(H($"<tr><td>{E(c.Currency)}</td><td>{c.Expected}</td><td>{c.Actual}</td><td>{c.Difference}</td><td>{c.Tolerance}</td><td>{(c.Agrees ? "agrees" : "DISAGREES")}</td></tr>"));
        }

        if (r.Equity is { } q)
        {
            html.Append(H($"<tr><td>equity</td><td>{q.ExpectedEquity:0.########}</td><td>{q.AccountEquity:0.########}</td><td>{q.Difference}</td><td>{q.Tolerance}</td><td>{(q.Agrees ? "agrees" : "DISAGREES")}</td></tr>"));
        }

        html.Append("</table>");
    }

    internal static string Svg(string id, decimal lo, decimal hi, IEnumerable<string> content) =>
        H($"<svg id=\"{id}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width + 90} {Height + 10}\" width=\"{Width + 90}\" height=\"{Height + 10}\">") +
        H($"<text x=\"{Width + 4}\" y=\"12\" font-size=\"11\">{hi:0.####}</text><text x=\"{Width + 4}\" y=\"{Height}\" font-size=\"11\">{lo:0.####}</text>") +
        string.Concat(content) + "</svg>";

    internal static string Line(IEnumerable<(DateTimeOffset At, decimal Value)> points, DateTimeOffset first, DateTimeOffset last, decimal lo, decimal hi, string color, string title)
    {
        var sb = new StringBuilder();
        foreach (var (at, value) in points)
        {
            sb.Append(H($"{X(at, first, last):0.#},{Y(value, lo, hi):0.#} "));
        }

        return H($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\" points=\"{sb.ToString().TrimEnd()}\"><title>{title}</title></polyline>");
    }

    private static double X(DateTimeOffset at, DateTimeOffset first, DateTimeOffset last) =>
        last <= first ? 0d : Math.Clamp((at - first) / (last - first), 0d, 1d) * Width;

    private static double Y(decimal value, decimal lo, decimal hi) =>
        hi <= lo ? Height / 2d : 5d + ((double)((hi - value) / (hi - lo)) * (Height - 10));

    internal static IEnumerable<T> Sample<T>(IReadOnlyList<T> points)
    {
        var stride = Math.Max(1, (points.Count + MaxPoints - 1) / MaxPoints);
        for (var i = 0; i < points.Count; i += stride)
        {
            yield return points[i];
        }

        if (points.Count > 0 && (points.Count - 1) % stride != 0)
        {
            yield return points[^1];
        }
    }

    private static IEnumerable<T> Sample<T>(IEnumerable<T> points) => Sample<T>(points.ToList());

    private static void Row(StringBuilder html, string name, string value) => html.Append(H($"<tr><td>{E(name)}</td><td>{E(value)}</td></tr>"));

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string H(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
