using System.Globalization;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>
/// Keeps the client inside Binance's request-weight budget. Binance reports the weight used in the current
/// minute in <c>X-MBX-USED-WEIGHT-1M</c>; before a request we add its known weight and refuse (unified
/// RateLimited, nothing sent) when that would pass the allowed share. A 429/418 with <c>Retry-After</c> stops
/// every request until then: Binance bans IPs that keep calling after a 429.
/// </summary>
public sealed class BinanceRequestWeight(BinanceOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _minute = -1;
    private int _used;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;

    public int UsedThisMinute
    {
        get
        {
            lock (_gate)
            {
                return CurrentMinute() == _minute ? _used : 0;
            }
        }
    }

    /// <summary>Reserves <paramref name="weight"/> for a request about to be sent, or throws RateLimited.</summary>
    public void Acquire(int weight)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (now < _blockedUntil)
            {
                throw new ExchangeException(ExchangeErrorType.RateLimited, $"Binance asked us to back off until {_blockedUntil:O}; no request sent");
            }

            var minute = CurrentMinute();
            if (minute != _minute)
            {
                _minute = minute;
                _used = 0;
            }

            var budget = options.RequestWeightPerMinute * options.MaxWeightUsePercent / 100;
            if (_used + weight > budget)
            {
                var wait = 60 - now.Second;
                throw new ExchangeException(ExchangeErrorType.RateLimited, $"request weight {_used}+{weight} would pass {budget} of {options.RequestWeightPerMinute} this minute; retry in {wait}s");
            }

            _used += weight;
        }
    }

    /// <summary>Takes Binance's own count of the minute's weight (authoritative: other clients on the same IP count too).</summary>
    public void Observe(HttpResponseMessage response)
    {
        lock (_gate)
        {
            if (response.Headers.TryGetValues("X-MBX-USED-WEIGHT-1M", out var values)
                && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var used))
            {
                _minute = CurrentMinute();
                _used = used;
            }

            if ((int)response.StatusCode is 429 or 418)
            {
                var retryAfter = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(60);
                _blockedUntil = time.GetUtcNow() + retryAfter;
            }
        }
    }

    private long CurrentMinute() => time.GetUtcNow().ToUnixTimeSeconds() / 60;
}
