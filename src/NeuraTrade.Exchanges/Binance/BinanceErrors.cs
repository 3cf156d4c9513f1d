using System.Net;
using System.Text.Json;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>
/// Binance's HTTP status and <c>{"code":…,"msg":…}</c> body mapped to the unified error kinds. The vendor's
/// text is parsed here and only here; it is kept in the message for people, never for callers to parse.
/// </summary>
public static class BinanceErrors
{
    public const int InvalidTimestamp = -1021;

    public static ExchangeException Map(HttpStatusCode status, string body)
    {
        var (code, msg) = Parse(body);
        var type = Classify((int)status, code, msg);
        return new ExchangeException(type, $"Binance {(int)status} {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}: {msg ?? Truncate(body)}")
        {
            Data = { ["BinanceCode"] = code },
        };
    }

    public static int? Code(ExchangeException ex) => ex.Data["BinanceCode"] as int?;

    internal static ExchangeErrorType Classify(int status, int? code, string? msg)
    {
        switch (code)
        {
            case -1003 or -1015 or -1034:
                return ExchangeErrorType.RateLimited;
            case -1000 or -1001 or -1006 or -1007 or -1008 or -1016:
                return ExchangeErrorType.ExchangeNotAvailable;
            case -1002 or -1022 or -2008 or -2014 or -2015 or -1099:
                return ExchangeErrorType.Authentication;
            case InvalidTimestamp:
                return ExchangeErrorType.Network;
            case -1121:
                return ExchangeErrorType.BadSymbol;
            case -2013:
                return ExchangeErrorType.OrderNotFound;
            case -2011 when msg is not null && msg.Contains("Unknown order", StringComparison.OrdinalIgnoreCase):
                return ExchangeErrorType.OrderNotFound;
            case -2010 or -2011 when msg is not null && msg.Contains("insufficient balance", StringComparison.OrdinalIgnoreCase):
                return ExchangeErrorType.InsufficientFunds;
            case -2010 or -2011 or -1013 or -1111 or -1112 or -1106 or -1102 or -1100 or -1101 or -1104 or -1105 or -1115 or -1116 or -1117 or -1118 or -1119 or -1120 or -1125 or -1127 or -1128 or -1130 or -2026:
                return ExchangeErrorType.InvalidOrder;
            default:
                break;
        }

        return status switch
        {
            429 or 418 => ExchangeErrorType.RateLimited,
            401 => ExchangeErrorType.Authentication,
            403 => ExchangeErrorType.ExchangeNotAvailable, // Binance's web application firewall
            >= 500 => ExchangeErrorType.ExchangeNotAvailable,
            _ => ExchangeErrorType.InvalidOrder,
        };
    }

    private static (int? Code, string? Msg) Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var c) && c.TryGetInt32(out var code))
            {
                return (code, root.TryGetProperty("msg", out var m) ? m.GetString() : null);
            }
        }
        catch (JsonException)
        {
        }

        return (null, null);
    }

    private static string Truncate(string body) => body.Length <= 200 ? body : body[..200];
}
