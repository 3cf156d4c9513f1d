using System.ComponentModel.DataAnnotations;

namespace NeuraTrade.Storage;

/// <summary>Settings section <c>Storage</c>.</summary>
public sealed class TableStorageOptions
{
    public const string Section = "Storage";

    /// <summary>Table Storage connection string; Azurite by default.</summary>
    [Required]
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Prepended to every table name (letters and digits), so several installations or test runs can share an account.</summary>
    [RegularExpression("^[A-Za-z0-9]{0,20}$", ErrorMessage = "Storage:TablePrefix must be up to 20 letters or digits.")]
    public string TablePrefix { get; set; } = string.Empty;

    /// <summary>Retries of a failed storage request (503, timeouts), with exponential backoff from <see cref="RetryDelay"/>.</summary>
    [Range(0, 10, ErrorMessage = "Storage:MaxRetries must be 0 to 10.")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry's delay; each next one doubles (with jitter), up to 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:30", ErrorMessage = "Storage:RetryDelay must be between 00:00:00.001 and 00:00:30.")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one storage request may take before it counts as failed (and is retried).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00", ErrorMessage = "Storage:NetworkTimeout must be between 00:00:01 and 00:05:00.")]
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
