using Microsoft.Extensions.Options;

namespace NeuraTrade.Functions.Settings;

/// <summary>
/// The keys under the project's sections that bind to nothing (<see cref="SeedSpellings"/>): validated at start, so a
/// misspelt limit stops the app instead of being silently ignored.
/// </summary>
public sealed class SettingsKeys
{
    public IReadOnlyList<string> Unknown { get; set; } = [];
}

internal sealed class SettingsKeysValidation : IValidateOptions<SettingsKeys>
{
    public ValidateOptionsResult Validate(string? name, SettingsKeys options) =>
        options.Unknown.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Unknown);
}
