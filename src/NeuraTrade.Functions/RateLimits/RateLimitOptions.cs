using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Functions.RateLimits;

/// <summary>
/// Settings section <c>RateLimits</c>: how often one client may call <c>analyze</c> and <c>decision</c> (each call may
/// cost LLM money), per instance of the app. <see cref="PerMinute"/> 0 turns the limit off.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Calls per minute a client's bucket refills (shared by analyze and decision); 0 disables the limit.</summary>
    [Range(0, 100_000, ErrorMessage = "RateLimits:PerMinute must be a whole number from 0 (no limit) to 100000.")]
    public int PerMinute { get; set; } = 10;

    /// <summary>How many calls a client may make at once before the per-minute rate applies (the bucket's size).</summary>
    [Range(1, 100_000, ErrorMessage = "RateLimits:Burst must be a whole number from 1 to 100000.")]
    public int Burst { get; set; } = 5;

    public bool Enabled => PerMinute > 0;
}
