using System.Globalization;
using Azure.Data.Tables;

namespace NeuraTrade.Storage;

/// <summary>
/// Table Storage has no decimal type: money is stored as invariant strings, losslessly. Keys may not hold
/// '/', so symbols are stored as BASE-QUOTE in keys.
/// </summary>
internal static class EntityValues
{
    public static string? Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static decimal Decimal(TableEntity entity, string name) =>
        OptionalDecimal(entity, name) ?? throw new InvalidDataException($"entity {entity.PartitionKey}/{entity.RowKey} lacks {name}");

    public static decimal? OptionalDecimal(TableEntity entity, string name) =>
        entity.GetString(name) is { Length: > 0 } s ? decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture) : null;

    public static string String(TableEntity entity, string name) =>
        entity.GetString(name) ?? throw new InvalidDataException($"entity {entity.PartitionKey}/{entity.RowKey} lacks {name}");

    public static T Enum<T>(TableEntity entity, string name)
        where T : struct, Enum => System.Enum.Parse<T>(String(entity, name), ignoreCase: true);

    public static T? OptionalEnum<T>(TableEntity entity, string name)
        where T : struct, Enum => entity.GetString(name) is { Length: > 0 } s ? System.Enum.Parse<T>(s, ignoreCase: true) : null;

    public static DateTimeOffset Time(TableEntity entity, string name) =>
        entity.GetDateTimeOffset(name) ?? throw new InvalidDataException($"entity {entity.PartitionKey}/{entity.RowKey} lacks {name}");

    public static string SymbolKey(string symbol) => symbol.Replace('/', '-');

    /// <summary>Row key prefix that sorts newest first.</summary>
    public static string NewestFirst(DateTimeOffset time) =>
        (DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
