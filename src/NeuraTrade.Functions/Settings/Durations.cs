using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuraTrade.Functions.Settings;

/// <summary>
/// Durations as the seed writes them (<c>10s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>, <c>500ms</c>, <c>1h30m</c>) beside .NET's
/// <c>00:02:00</c>.
/// </summary>
public static partial class Durations
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        var parts = Part().Matches(trimmed);
        if (parts.Count == 0 || parts.Sum(p => p.Length) != trimmed.Length)
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out duration);
        }

        foreach (Match part in parts)
        {
            var amount = double.Parse(part.Groups["amount"].Value, CultureInfo.InvariantCulture);
            duration += part.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return true;
    }

    /// <summary>The value .NET's binder reads (<c>00:00:10</c>), or the text as written when it is no duration (the binder then names the key).</summary>
    public static string? Normalize(string? text) => TryParse(text, out var duration) ? duration.ToString("c", CultureInfo.InvariantCulture) : text;

    [GeneratedRegex(@"(?<amount>\d+(\.\d+)?)\s*(?<unit>ms|s|m|h|d)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
