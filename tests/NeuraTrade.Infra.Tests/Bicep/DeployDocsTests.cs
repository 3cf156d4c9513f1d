using System.Text.RegularExpressions;

namespace NeuraTrade.Infra.Tests.Bicep;

/// <summary>docs/deploy.md and the README keep up with the HTTP functions and keep keys out of URLs and plain-text files.</summary>
public sealed partial class DeployDocsTests
{
    private static readonly string[] Docs = ["README.md", "docs/deploy.md", "docs/exchanges.md"];

    [Fact]
    public void Deploy_doc_lists_every_http_function_of_the_functions_project_with_its_route()
    {
        var functions = HttpFunctions();
        var deploy = File.ReadAllText(Repository.File("docs", "deploy.md"));

        Assert.Equal(15, functions.Count);
        foreach (var (name, method, route) in functions)
        {
            Assert.Contains($"| `{name}` | `{method.ToUpperInvariant()} /api/{route}` |", deploy, StringComparison.Ordinal);
        }

        Assert.Contains($"All {Words[functions.Count]} HTTP functions", deploy, StringComparison.Ordinal);
        Assert.DoesNotMatch($@"\b({string.Join('|', Words.Where(w => w != Words[functions.Count]))}) HTTP functions", deploy);
    }

    [Fact]
    public void Docs_send_function_keys_in_the_header_and_never_put_them_in_a_url()
    {
        foreach (var doc in Docs)
        {
            var lines = File.ReadAllLines(Repository.File(doc.Split('/')));
            Assert.DoesNotContain(lines, line => KeyInUrl().IsMatch(line));
            // `?code=` may be named only to warn against it, or for the one page a browser opens (it cannot send a header).
            Assert.All(
                lines.Where(line => line.Replace("dashboard?code=", string.Empty, StringComparison.Ordinal).Contains("?code=", StringComparison.Ordinal)),
                line => Assert.Matches(@"\b(not|never)\b", line));
        }

        Assert.Contains("x-functions-key", File.ReadAllText(Repository.File("docs", "deploy.md")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AI__ApiKey")]
    [InlineData("Exchange__Binance__ApiKey")]
    [InlineData("Exchange__Binance__ApiSecret")]
    public void Docs_set_api_keys_with_set_secret_never_in_plain_text(string setting)
    {
        var all = string.Join('\n', Docs.Select(d => File.ReadAllText(Repository.File(d.Split('/')))));

        Assert.Contains($"azd env set-secret {setting}", all, StringComparison.Ordinal);
        Assert.DoesNotContain($"azd env set {setting}", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Docs_say_exchange_keys_are_trade_only_without_withdrawals()
    {
        foreach (var doc in new[] { "docs/deploy.md", "docs/exchanges.md" })
        {
            var text = File.ReadAllText(Repository.File(doc.Split('/')));
            Assert.Contains("trade-only", text, StringComparison.Ordinal);
            Assert.Matches(new Regex(@"withdrawals (off|disabled)", RegexOptions.IgnoreCase), text.Replace("**", string.Empty));
        }
    }

    private static readonly string[] Words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"];

    /// <summary>Every [HttpTrigger] in src/NeuraTrade.Functions: function name, method and route.</summary>
    private static List<(string Name, string Method, string Route)> HttpFunctions()
    {
        var found = new List<(string, string, string)>();
        foreach (var file in Directory.EnumerateFiles(Repository.File("src", "NeuraTrade.Functions"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match match in HttpFunction().Matches(File.ReadAllText(file)))
            {
                found.Add((match.Groups["name"].Value, match.Groups["method"].Value, match.Groups["route"].Value));
            }
        }

        return found;
    }

    [GeneratedRegex(@"\[Function\(""(?<name>\w+)""\)\](?:(?!\[Function\().)*?\[HttpTrigger\([^,]+,\s*""(?<method>\w+)"",\s*Route\s*=\s*""(?<route>[^""]+)""\)\]", RegexOptions.Singleline)]
    private static partial Regex HttpFunction();

    [GeneratedRegex(@"(?<!/api/dashboard)[?&]code=(?!`)\S")]
    private static partial Regex KeyInUrl();
}
