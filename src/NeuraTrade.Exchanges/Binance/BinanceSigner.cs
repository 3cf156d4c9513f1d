using System.Security.Cryptography;
using System.Text;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>Binance SIGNED endpoints: <c>signature</c> is the hex HMAC-SHA256 of the exact query (or body) string, keyed with the API secret.</summary>
public static class BinanceSigner
{
    public static string Sign(string secret, string payload)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(payload));
        return Convert.ToHexStringLower(mac);
    }
}
