using System.Globalization;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Storage;

/// <summary>
/// Fee charges in one string column: <c>0.00000118 BTC;0.021 BNB</c> (invariant decimals). Absent (rows written before
/// fees had currencies, or a position not closed yet) reads as null, which the domain takes as "the fee was in quote".
/// </summary>
internal static class FeeCharges
{
    public static string? Text(IReadOnlyList<FeeCharge>? charges) =>
        charges is null ? null : string.Join(';', charges.Select(c => $"{c.Amount.ToString(CultureInfo.InvariantCulture)} {c.Currency}"));

    public static FeeList? Parse(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var charges = new List<FeeCharge>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = part.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0 || !decimal.TryParse(part.AsSpan(0, space), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount))
            {
                throw new FormatException($"'{part}' is not a fee charge (expected '<amount> <currency>')");
            }

            charges.Add(new FeeCharge(part[(space + 1)..], amount));
        }

        return new FeeList(charges);
    }
}
