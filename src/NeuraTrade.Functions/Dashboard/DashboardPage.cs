using System.Security.Cryptography;

namespace NeuraTrade.Functions.Dashboard;

/// <summary>
/// The dashboard: one self-contained HTML page (inline CSS and script, no CDN, no build step) that draws itself from the
/// API's own endpoints (status, decisions, trades) and acts through them (toggle, close). Its style and script run only
/// under a nonce drawn for each response, named in a Content-Security-Policy that allows nothing else: model-written text
/// (reasoning, analysis) is inserted as text by the script, and even markup that slipped through could not run.
/// </summary>
public static class DashboardPage
{
    private const string NoncePlaceholder = "{{nonce}}";

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("NeuraTrade.Functions.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is not embedded in NeuraTrade.Functions");
        using var reader = new StreamReader(stream);
        var template = reader.ReadToEnd();
        return template.Contains(NoncePlaceholder, StringComparison.Ordinal)
            ? template
            : throw new InvalidOperationException("the dashboard page has no nonce placeholder");
    });

    /// <summary>A fresh nonce: 128 random bits, base64 (CSP's nonce-source grammar).</summary>
    public static string NewNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));

    /// <summary>The page with <paramref name="nonce"/> on its one style and one script element.</summary>
    public static string Render(string nonce) => Template.Value.Replace(NoncePlaceholder, nonce, StringComparison.Ordinal);

    /// <summary>
    /// Nothing loads but the page's own nonced style and script; it may call only its own origin (the API), show images only
    /// from data: URLs or its origin, and be framed by nobody.
    /// </summary>
    public static string ContentSecurityPolicy(string nonce) =>
        $"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; img-src data: 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
}
