namespace NeuraTrade.Functions.Settings;

/// <summary>
/// Settings section <c>LocalHost</c>: <c>neuratrade serve</c> only (the Functions app has the platform's function keys).
/// </summary>
public sealed class LocalHostOptions
{
    public const string Section = "LocalHost";

    /// <summary>
    /// The key every request must send in the <c>x-functions-key</c> header, like Azure's function keys. Required when
    /// <c>serve</c> listens beyond loopback (it refuses to start without one); optional on loopback (checked when set).
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// Where <c>serve</c> also writes its log, as <c>ai_trading.log</c> rolling by UTC day and size (relative paths from the
    /// working directory); empty: no log file.
    /// </summary>
    public string? LogDirectory { get; set; } = "logs";

    /// <summary>Size at which the log file rolls over, in bytes.</summary>
    public long LogFileMaxBytes { get; set; } = 10 * 1024 * 1024;
}
