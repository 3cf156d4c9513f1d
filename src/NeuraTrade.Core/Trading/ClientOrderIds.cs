using System.Security.Cryptography;
using System.Text;

namespace NeuraTrade.Core.Trading;

/// <summary>
/// Client order ids derived from what the order is for, so a retried or duplicated call sends the same id and the
/// exchange places one order. Binance allows 36 characters of <c>[.A-Za-z0-9:/_-]</c>; longer ids are shortened to a hash.
/// </summary>
public static class ClientOrderIds
{
    public const string EntryPrefix = "nt-";
    public const string ExitPrefix = "nt-exit-";
    private const int MaxLength = 36;

    public static string Entry(string decisionId) => Fit(EntryPrefix, decisionId);

    public static string Exit(string positionId) => Fit(ExitPrefix, positionId);

    /// <summary>True for an entry order this app placed (not an exit).</summary>
    public static bool IsEntry(string clientOrderId) =>
        clientOrderId.StartsWith(EntryPrefix, StringComparison.Ordinal) && !clientOrderId.StartsWith(ExitPrefix, StringComparison.Ordinal);

    private static string Fit(string prefix, string id)
    {
        var full = prefix + id;
        if (full.Length <= MaxLength)
        {
            return full;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
        return prefix + hash[..(MaxLength - prefix.Length)];
    }
}
