using System.Globalization;
using System.Net;
using System.Text;
using NeuraTrade.Backtesting.Arbitrage;
using NeuraTrade.Core.Markets;

namespace NeuraTrade.Backtesting;

/// <summary>
/// The <c>--html</c> page of an arbitrage backtest: one self-contained, well-formed (XML-parseable) file with inline CSS
/// and SVG, no script and no external resource. The best net edge of every scanned minute against the threshold with the
/// trades marked, each venue's base holding over time, then the summary, each venue's inventory drift and how to
/// rebalance it, the trades (edge expected against edge captured, fees) and the minutes held back. Figures are written as
/// the report holds them (invariant decimals), so the page can be checked against the JSON report number for number.
/// </summary>
public static class ArbitrageHtml
{
    private const int Width = 1000;
    private const int Height = 260;
    private const int MaxTradeRows = 500;
    private const int MaxHeldRows = 200;
    private static readonly string[] Colors = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00"];

    public static async Task WriteAsync(ArbitrageBacktestReport report, string path, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(path, Render(report), cancellationToken);

    public static string Render(ArbitrageBacktestReport report)
    {
        var html = new StringBuilder();
        var venues = string.Join(", ", report.Inventory.Select(i => $"{i.Venue} {i.Symbol}"));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>NeuraTrade arbitrage backtest</title><style>")
            .Append("body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
            .Append("table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append("svg{background:#fafafa;border:1px solid #ddd}.legend span{margin-right:16px}")
            .Append("</style></head><body>");
        html.Append(H($"<h1>Arbitrage backtest: {E(venues)}</h1>"));
        var first = report.Edges.Count > 0 ? report.Edges[0].Time : DateTimeOffset.UnixEpoch;
        var last = report.Edges.Count > 0 ? report.Edges[^1].Time : first.AddMinutes(1);
        html.Append(H($"<p>{first:yyyy-MM-dd HH:mm} → {last:yyyy-MM-dd HH:mm} UTC, {report.MinutesScanned} minutes scanned on one clock.</p>"));

        EdgeChart(html, report, first, last);
        InventoryChart(html, report, first, last);

        html.Append("<h2>Summary</h2><table id=\"summary\">");
        Row(html, "minutes_scanned", "minutes scanned", I(report.MinutesScanned));
        Row(html, "best_net_edge_percent", "best net edge seen (%)", D(report.BestNetEdgePercent));
        Row(html, "best_net_edge_at", "seen at (UTC)", report.BestNetEdgeAt is { } at ? at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + report.BestNetEdgePair : "none");
        Row(html, "min_net_edge_percent", "threshold Arbitrage:MinNetEdgePercent (%)", D(report.MinNetEdgePercent));
        Row(html, "trades", "trades", I(report.Trades.Count));
        Row(html, "held", "minutes above the threshold held back (inventory, minimum order)", I(report.Held.Count));
        Row(html, "profit", "profit (reference currency)", D(report.Profit));
        Row(html, "expected_profit", "profit the scans expected", D(report.ExpectedProfit));
        Row(html, "fees", "fees, both legs (reference currency)", D(report.Fees));
        Row(html, "total_base_drift", "base gained or lost over all venues", D(report.TotalBaseDrift));
        html.Append("</table>");

        html.Append("<h2>Inventory per venue: drift and how to rebalance</h2><table id=\"inventory-table\">")
            .Append("<tr><th>venue</th><th>symbol</th><th>start base</th><th>end base</th><th>base drift</th><th>start quote</th><th>end quote</th><th>quote drift</th><th>to rebalance</th></tr>");
        foreach (var i in report.Inventory)
        {
            var asset = MarketSymbol.Base(i.Symbol);
            var rebalance = string.Join(", ", new[] { Move(i.BaseDrift, asset), Move(i.QuoteDrift, MarketSymbol.Quote(i.Symbol)) }.Where(m => m is not null).DefaultIfEmpty("nothing"));
            html.Append(H($"<tr data-venue=\"{E(i.Venue)}\"><td>{E(i.Venue)}</td><td>{E(i.Symbol)}</td><td>{D(i.StartBase)}</td><td>{D(i.EndBase)}</td><td>{D(i.BaseDrift)}</td><td>{D(i.StartQuote)}</td><td>{D(i.EndQuote)}</td><td>{D(i.QuoteDrift)}</td><td>{E(rebalance)}</td></tr>"));
        }

        html.Append("</table>");

        html.Append(H($"<h2>Trades (first {Math.Min(MaxTradeRows, report.Trades.Count)} of {report.Trades.Count})</h2>"));
        html.Append("<table id=\"trades\"><tr><th>time (UTC)</th><th>buy on</th><th>sell on</th><th>amount</th><th>buy price</th><th>sell price</th><th>buy fee</th><th>sell fee</th><th>expected edge %</th><th>captured edge %</th><th>expected profit</th><th>profit</th></tr>");
        foreach (var t in report.Trades.Take(MaxTradeRows))
        {
            html.Append(H($"<tr><td>{t.Time:yyyy-MM-dd HH:mm}</td><td>{E(t.BuyVenue)}</td><td>{E(t.SellVenue)}</td><td>{D(t.Amount)}</td><td>{D(t.BuyPrice)}</td><td>{D(t.SellPrice)}</td><td>{D(t.BuyFee)}</td><td>{D(t.SellFee)}</td><td>{D(t.ExpectedNetEdgePercent)}</td><td>{D(t.CapturedNetEdgePercent)}</td><td>{D(t.ExpectedProfit)}</td><td>{D(t.Profit)}</td></tr>"));
        }

        html.Append("</table>");
        html.Append(H($"<h2>Minutes above the threshold held back (first {Math.Min(MaxHeldRows, report.Held.Count)} of {report.Held.Count})</h2>"));
        html.Append("<table id=\"held\"><tr><th>time (UTC)</th><th>buy on</th><th>sell on</th><th>net edge %</th><th>why</th></tr>");
        foreach (var h in report.Held.Take(MaxHeldRows))
        {
            html.Append(H($"<tr><td>{h.Time:yyyy-MM-dd HH:mm}</td><td>{E(h.BuyVenue)}</td><td>{E(h.SellVenue)}</td><td>{D(h.TopNetEdgePercent)}</td><td>{E(h.Reason)}</td></tr>"));
        }

        html.Append("</table></body></html>\n");
        return html.ToString();
    }

    /// <summary>The best net edge per minute, the threshold as a dashed line, each trade at its expected edge.</summary>
    private static void EdgeChart(StringBuilder html, ArbitrageBacktestReport report, DateTimeOffset first, DateTimeOffset last)
    {
        var lo = Math.Min(report.MinNetEdgePercent, report.Edges.Count > 0 ? report.Edges.Min(e => e.TopNetEdgePercent) : 0m);
        var hi = Math.Max(report.MinNetEdgePercent, report.Edges.Count > 0 ? report.Edges.Max(e => e.TopNetEdgePercent) : 0m);
        if (hi <= lo)
        {
            hi = lo + 0.01m;
        }

        html.Append("<h2>Best net edge per minute against the threshold</h2><p class=\"legend\"><span style=\"color:#1565c0\">■ best net edge, %</span><span style=\"color:#c62828\">- - threshold</span><span style=\"color:#2e7d32\">● trade at its expected edge</span></p>");
        var content = new StringBuilder();
        content.Append(Polyline("edge-line", null, BacktestHtml.Sample(report.Edges).Select(e => (e.Time, e.TopNetEdgePercent)), first, last, lo, hi, "#1565c0", "best net edge %"));
        var y = Y(report.MinNetEdgePercent, lo, hi);
        content.Append(H($"<line id=\"threshold\" data-value=\"{D(report.MinNetEdgePercent)}\" x1=\"0\" y1=\"{y:0.###}\" x2=\"{Width}\" y2=\"{y:0.###}\" stroke=\"#c62828\" stroke-dasharray=\"6 4\"><title>threshold {D(report.MinNetEdgePercent)}%</title></line>"));
        foreach (var t in report.Trades.Take(2000))
        {
            content.Append(H($"<circle class=\"trade\" cx=\"{X(t.Time, first, last):0.###}\" cy=\"{Y(t.ExpectedNetEdgePercent, lo, hi):0.###}\" r=\"2.5\" fill=\"#2e7d32\"><title>{t.Time:HH:mm} buy {E(t.BuyVenue)} sell {E(t.SellVenue)}: expected {D(t.ExpectedNetEdgePercent)}%, captured {D(t.CapturedNetEdgePercent)}%</title></circle>"));
        }

        html.Append(Svg("edge", lo, hi, content.ToString()));
    }

    /// <summary>Each venue's base holding as a step line: it changes only at a trade.</summary>
    private static void InventoryChart(StringBuilder html, ArbitrageBacktestReport report, DateTimeOffset first, DateTimeOffset last)
    {
        var history = report.InventoryHistory;
        var all = history.SelectMany(p => p.Base).DefaultIfEmpty(0m).ToList();
        var lo = all.Min();
        var hi = all.Max();
        if (hi <= lo)
        {
            hi = lo + 0.00000001m;
        }

        html.Append("<h2>Base held per venue over time</h2><p class=\"legend\">");
        var content = new StringBuilder();
        for (var v = 0; v < report.Inventory.Count; v++)
        {
            var color = Colors[v % Colors.Length];
            var venue = report.Inventory[v];
            html.Append(H($"<span style=\"color:{color}\">■ {E(venue.Venue)} {E(MarketSymbol.Base(venue.Symbol))}</span>"));
            var steps = new List<(DateTimeOffset, decimal)>();
            for (var k = 0; k < history.Count; k++)
            {
                if (k > 0)
                {
                    steps.Add((history[k].Time, history[k - 1].Base[v]));
                }

                steps.Add((history[k].Time, history[k].Base[v]));
            }

            content.Append(Polyline(null, venue.Venue, steps, first, last, lo, hi, color, $"{venue.Venue} base held"));
        }

        html.Append("</p>").Append(Svg("inventory", lo, hi, content.ToString()));
    }

    private static string Svg(string id, decimal lo, decimal hi, string content) =>
        H($"<svg id=\"{id}\" data-lo=\"{D(lo)}\" data-hi=\"{D(hi)}\" data-width=\"{Width}\" data-height=\"{Height}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width + 90} {Height + 10}\" width=\"{Width + 90}\" height=\"{Height + 10}\">") +
        H($"<text x=\"{Width + 4}\" y=\"12\" font-size=\"11\">{hi:0.######}</text><text x=\"{Width + 4}\" y=\"{Height}\" font-size=\"11\">{lo:0.######}</text>") +
        content + "</svg>";

    private static string Polyline(string? id, string? venue, IEnumerable<(DateTimeOffset At, decimal Value)> points, DateTimeOffset first, DateTimeOffset last, decimal lo, decimal hi, string color, string title)
    {
        var sb = new StringBuilder();
        foreach (var (at, value) in points)
        {
            sb.Append(H($"{X(at, first, last):0.###},{Y(value, lo, hi):0.###} "));
        }

        var attributes = (id is null ? string.Empty : $" id=\"{id}\"") + (venue is null ? string.Empty : $" data-venue=\"{E(venue)}\"");
        return H($"<polyline{attributes} fill=\"none\" stroke=\"{color}\" stroke-width=\"1.2\" points=\"{sb.ToString().TrimEnd()}\"><title>{E(title)}</title></polyline>");
    }

    /// <summary>0 at the first scan, <see cref="Width"/> at the last.</summary>
    private static double X(DateTimeOffset at, DateTimeOffset first, DateTimeOffset last) =>
        last <= first ? 0d : Math.Clamp((at - first) / (last - first), 0d, 1d) * Width;

    /// <summary>5 at <paramref name="hi"/>, <see cref="Height"/> − 5 at <paramref name="lo"/>.</summary>
    private static double Y(decimal value, decimal lo, decimal hi) =>
        5d + ((double)((hi - value) / (hi - lo)) * (Height - 10));

    /// <summary>What a venue sends (it gained) or receives (it lost) to be back where it started; null for no drift.</summary>
    private static string? Move(decimal drift, string asset) =>
        drift > 0m ? $"send {D(drift)} {asset}" : drift < 0m ? $"receive {D(-drift)} {asset}" : null;

    private static void Row(StringBuilder html, string key, string name, string value) =>
        html.Append(H($"<tr data-metric=\"{key}\"><td>{E(name)}</td><td>{E(value)}</td></tr>"));

    private static string D(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string H(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
