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
}
