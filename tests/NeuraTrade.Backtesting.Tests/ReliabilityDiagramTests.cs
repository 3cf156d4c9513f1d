using System.Globalization;
using System.Xml.Linq;
using NeuraTrade.Core.Learning;

namespace NeuraTrade.Backtesting.Tests;

public sealed class ReliabilityDiagramTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void Svg_is_well_formed_and_draws_one_point_per_bucket_at_confidence_and_win_rate()
    {
        // Bucket 0.3: one loss; bucket 0.8: stated 0.85, won; bucket 0.9: stated 0.9, one of two won.
        var table = Calibration.Compute([(0.9m, true), (0.9m, false), (0.85m, true), (0.3m, false)]);

        var svg = XDocument.Parse(ReliabilityDiagram.Svg(table, "rules-v1 <scalping>"));

        var points = svg.Descendants(Svg + "circle").Where(c => (string?)c.Attribute("class") == "bucket")
            .Select(c => (X: Number(c, "cx"), Y: Number(c, "cy"))).ToList();
        // The plot square is 300 px from (50, 40): x = 50 + 300c, y = 40 + 300(1 - w).
        // 0.3 lost -> (140, 340); 0.85 won -> (305, 40); 0.9 at 0.5 -> (320, 190).
        Assert.Equal([(140m, 340m), (305m, 40m), (320m, 190m)], points);
        var intervals = svg.Descendants(Svg + "line").Where(c => (string?)c.Attribute("class") == "interval").ToList();
        Assert.Equal(3, intervals.Count);
        // The 1-of-2 bucket's Wilson interval 0.094531 .. 0.905469: y from 40 + 300 * 0.905469 = 311.6407 to 40 + 300 * 0.094531 = 68.3593.
        Assert.Equal((311.64m, 68.36m), (Number(intervals[2], "y1"), Number(intervals[2], "y2")));
        Assert.Equal("rules-v1 <scalping>", svg.Root!.Element(Svg + "title")!.Value);
        Assert.Contains("Brier 0.2331", svg.Descendants(Svg + "text").Single(t => (string?)t.Attribute("class") == "scores").Value, StringComparison.Ordinal);
        Assert.Empty(svg.Descendants(Svg + "script"));
        Assert.DoesNotContain("http://", svg.ToString().Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_of_no_trades_draws_the_diagonal_and_says_so()
    {
        var svg = XDocument.Parse(ReliabilityDiagram.Svg(Calibration.Compute([]), "empty"));

        Assert.Empty(svg.Descendants(Svg + "circle"));
        Assert.Single(svg.Descendants(Svg + "line"), l => (string?)l.Attribute("class") == "diagonal");
        Assert.Contains("no resolved trades", svg.ToString(), StringComparison.Ordinal);
    }

    private static decimal Number(XElement element, string attribute) =>
        decimal.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);
}
