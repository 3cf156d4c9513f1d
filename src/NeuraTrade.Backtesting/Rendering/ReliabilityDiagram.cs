using System.Globalization;
using System.Net;
using System.Text;
using NeuraTrade.Core.Learning;

namespace NeuraTrade.Backtesting;

/// <summary>
/// A reliability diagram as one inline SVG (no script, no external resource): stated confidence across, realized win rate
/// up, the diagonal where a calibrated brain lies, and one point per bucket at (mean confidence, win rate) with its 95%
/// interval as a vertical bar; the point's area grows with the bucket's count. The plot square is
/// <see cref="Left"/>..<see cref="Left"/>+<see cref="Size"/> across and <see cref="Top"/>..<see cref="Top"/>+<see cref="Size"/>
/// down, so 0..1 maps to x = Left + Size·c and y = Top + Size·(1 − w).
/// </summary>
public static class ReliabilityDiagram
{
    public const int Left = 50;
    public const int Top = 40;
    public const int Size = 300;
    private const int Width = Left + Size + 20;
    private const int Height = Top + Size + 60;

    public static string Svg(CalibrationTable table, string title)
    {
        ArgumentNullException.ThrowIfNull(table);
        var svg = new StringBuilder();
        svg.Append(H($"<svg class=\"reliability\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\">"));
        svg.Append(H($"<title>{E(title)}</title>"));
        svg.Append(H($"<text x=\"{Left}\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{E(title)}</text>"));
        svg.Append(H($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{Size}\" height=\"{Size}\" fill=\"#fff\" stroke=\"#bbb\"/>"));
        for (var tick = 0; tick <= 10; tick += 2)
        {
            var v = tick / 10m;
            svg.Append(H($"<text x=\"{X(v):0.#}\" y=\"{Top + Size + 14}\" font-size=\"10\" text-anchor=\"middle\">{v:0.0}</text>"));
            svg.Append(H($"<text x=\"{Left - 6}\" y=\"{Y(v) + 3:0.#}\" font-size=\"10\" text-anchor=\"end\">{v:0.0}</text>"));
        }

        svg.Append(H($"<text x=\"{Left + (Size / 2)}\" y=\"{Top + Size + 30}\" font-size=\"11\" text-anchor=\"middle\">stated confidence</text>"));
        svg.Append(H($"<text x=\"12\" y=\"{Top + (Size / 2)}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 {Top + (Size / 2)})\">win rate</text>"));
        svg.Append(H($"<line class=\"diagonal\" x1=\"{X(0m):0.#}\" y1=\"{Y(0m):0.#}\" x2=\"{X(1m):0.#}\" y2=\"{Y(1m):0.#}\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>"));
        var largest = table.Buckets.Count > 0 ? table.Buckets.Max(b => b.Count) : 1;
        foreach (var b in table.Buckets)
        {
            var radius = 3d + (6d * Math.Sqrt((double)b.Count / largest));
            svg.Append(H($"<line class=\"interval\" x1=\"{X(b.MeanConfidence):0.##}\" y1=\"{Y(b.Low95):0.##}\" x2=\"{X(b.MeanConfidence):0.##}\" y2=\"{Y(b.High95):0.##}\" stroke=\"#90caf9\" stroke-width=\"2\"/>"));
            svg.Append(H($"<circle class=\"bucket\" cx=\"{X(b.MeanConfidence):0.##}\" cy=\"{Y(b.WinRate):0.##}\" r=\"{radius:0.#}\" fill=\"#1565c0\">"));
            svg.Append(H($"<title>{b.From:0.0##}–{b.To:0.0##}: {b.Count} trades, stated {b.MeanConfidence:0.###}, won {b.WinRate:0.###} (95% {b.Low95:0.###}–{b.High95:0.###})</title></circle>"));
        }

        var scores = table.Count == 0
            ? "no resolved trades"
            : H($"{table.Count} trades, Brier {table.BrierScore:0.####}, calibration error {table.ExpectedCalibrationError:0.####}");
        svg.Append(H($"<text class=\"scores\" x=\"{Left}\" y=\"{Top + Size + 48}\" font-size=\"11\">{E(scores)}</text>"));
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>The x of a confidence in 0..1.</summary>
    public static decimal X(decimal confidence) => Left + (Size * confidence);

    /// <summary>The y of a win rate in 0..1 (up is higher).</summary>
    public static decimal Y(decimal winRate) => Top + (Size * (1m - winRate));

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string H(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
