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
}
