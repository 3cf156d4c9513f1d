using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Functions.Api;

namespace NeuraTrade.Functions.RateLimits;

/// <summary>
/// A token bucket per client, in this instance's memory: each holds up to <see cref="RateLimitOptions.Burst"/> calls and
/// refills <see cref="RateLimitOptions.PerMinute"/> a minute on the wall clock (LLM money is real whatever market is
/// replayed). The client is the function key's name when the platform passes it on, else the remote address.
/// </summary>
public sealed class ApiRateLimiter
{
    /// <summary>The claim the Functions host puts the name of the function key a request used in.</summary>
    public const string KeyIdClaim = "http://schemas.microsoft.com/2017/07/functions/claims/keyid";

    /// <summary>Past this many clients, buckets that have refilled completely are forgotten (they would allow a full burst anyway).</summary>
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly RateLimitOptions _options;
    private readonly TimeProvider _time;

    public ApiRateLimiter(IOptions<RateLimitOptions> options, TimeProvider time, WallClock? wall = null)
    {
        _options = options.Value;
        _time = WallClock.Or(wall, time);
    }

    /// <summary>Who is calling: <c>key:NAME</c> for a named function key the platform reports, else <c>ip:ADDRESS</c>.</summary>
    public static string ClientOf(HttpRequest request)
    {
        var keyId = request.HttpContext.User.Identities.SelectMany(i => i.Claims).FirstOrDefault(c => c.Type == KeyIdClaim)?.Value;
        if (!string.IsNullOrWhiteSpace(keyId))
        {
            return $"key:{keyId}";
        }

        return $"ip:{request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";
    }

    /// <summary>
    /// Takes one call from the caller's bucket: null when allowed, else a 429 problem with a <c>Retry-After</c> header (whole
    /// seconds, rounded up) set on the response.
    /// </summary>
    public IActionResult? Admit(HttpRequest request)
    {
        if (TryAcquire(ClientOf(request)) is not { } wait)
        {
            return null;
        }

        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ApiResults.Problem(
            StatusCodes.Status429TooManyRequests,
            "Too many requests.",
            $"analyze and decision allow each client {_options.Burst} calls at once and {_options.PerMinute} a minute (RateLimits:Burst, RateLimits:PerMinute); try again in {seconds} s.");
    }

    /// <summary>Takes one call from <paramref name="client"/>'s bucket: null when allowed, else how long until one refills.</summary>
    public TimeSpan? TryAcquire(string client)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }

        var bucket = _buckets.GetOrAdd(client, _ => new Bucket(_options.Burst, now));
        lock (bucket)
        {
            bucket.Refill(now, _options);
            if (bucket.Tokens >= 1m)
            {
                bucket.Tokens -= 1m;
                return null;
            }

            var perSecond = _options.PerMinute / 60m;
            return TimeSpan.FromSeconds((double)((1m - bucket.Tokens) / perSecond));
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (client, bucket) in _buckets)
        {
            lock (bucket)
            {
                bucket.Refill(now, _options);
                if (bucket.Tokens >= _options.Burst)
                {
                    _buckets.TryRemove(client, out _);
                }
            }
        }
    }

    private sealed class Bucket(decimal tokens, DateTimeOffset at)
    {
        public decimal Tokens { get; set; } = tokens;

        private DateTimeOffset _at = at;

        public void Refill(DateTimeOffset now, RateLimitOptions options)
        {
            if (now > _at)
            {
                Tokens = Math.Min(options.Burst, Tokens + ((decimal)(now - _at).TotalSeconds * options.PerMinute / 60m));
                _at = now;
            }
        }
    }
}
