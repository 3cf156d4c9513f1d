using System.Globalization;

namespace NeuraTrade.Functions.Settings;

/// <summary>
/// The seed's <c>Scalping:ScanInterval</c> (<c>10s</c>) as the 6-field NCRONTAB schedule the timer runs on. An interval
/// has one only when it divides a minute, an hour or a day evenly (<c>*/10 * * * * *</c>, <c>0 */5 * * * *</c>).
/// </summary>
public static class ScanIntervalSchedule
{
    public const string Setting = "Scalping:ScanInterval";

    public static bool TryCron(TimeSpan interval, out string cron)
    {
        cron = string.Empty;
        if (interval <= TimeSpan.Zero || interval.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return false;
        }

        var seconds = (long)interval.TotalSeconds;
        cron = seconds switch
        {
            < 60 when 60 % seconds == 0 => F($"*/{seconds} * * * * *"),
            < 3600 when seconds % 60 == 0 && 60 % (seconds / 60) == 0 => F($"0 */{seconds / 60} * * * *"),
            < 86400 when seconds % 3600 == 0 && 24 % (seconds / 3600) == 0 => F($"0 0 */{seconds / 3600} * * *"),
            86400 => "0 0 0 * * *",
            _ => string.Empty,
        };
        return cron.Length > 0;
    }

    /// <summary>Two schedules written alike (extra spaces aside).</summary>
    public static bool Same(string a, string b) =>
        string.Join(' ', a.Split(' ', StringSplitOptions.RemoveEmptyEntries)) == string.Join(' ', b.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
