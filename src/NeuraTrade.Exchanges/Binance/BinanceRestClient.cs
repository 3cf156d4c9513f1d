using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Trading;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace NeuraTrade.Exchanges.Binance;

/// <summary>
/// Binance spot REST transport: builds the query, signs SIGNED requests (timestamp on Binance's clock, recvWindow,
/// HMAC-SHA256, <c>X-MBX-APIKEY</c>), keeps to the request-weight budget and maps every failure to an
/// <see cref="ExchangeException"/>. Retries and timeouts are the HttpClient's resilience pipeline (see
/// <c>ExchangeComposition</c>). Keys are never logged.
/// </summary>
public sealed class BinanceRestClient(IHttpClientFactory httpClients, IOptions<BinanceOptions> options, TimeProvider time, ILogger<BinanceRestClient> logger) : IDisposable
{
    /// <summary>The named HttpClient carrying the base URL and the resilience pipeline.</summary>
    public const string HttpClientName = "binance";

    private readonly BinanceOptions _options = options.Value;
    private readonly SemaphoreSlim _clockLock = new(1, 1);
    private BinanceRequestWeight? _weight;
    private TimeSpan _clockOffset;
    private DateTimeOffset _clockSyncedAt = DateTimeOffset.MinValue;

    public BinanceRequestWeight Weight => _weight ??= new BinanceRequestWeight(_options, time);

    /// <summary>Binance's clock minus ours, as last measured.</summary>
    public TimeSpan ServerTimeOffset => _clockOffset;

    public Task<JsonDocument> GetAsync(string path, IEnumerable<KeyValuePair<string, string>> query, int weight, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, query, weight, signed: false, cancellationToken);

    public async Task<JsonDocument> SignedAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string>> parameters, int weight, CancellationToken cancellationToken)
    {
        if (!_options.HasKeys)
        {
            throw new ExchangeException(ExchangeErrorType.Authentication, "Binance API key and secret are not configured (Exchange:Binance:ApiKey, Exchange:Binance:ApiSecret)");
        }

        var list = parameters.ToList();
        try
        {
            return await SendAsync(method, path, list, weight, signed: true, cancellationToken);
        }
        catch (ExchangeException ex) when (BinanceErrors.Code(ex) == BinanceErrors.InvalidTimestamp)
        {
            // Our clock drifted from Binance's: measure again and try once more.
            logger.LogWarning("Binance rejected the request timestamp; measuring the server time offset again");
            _clockSyncedAt = DateTimeOffset.MinValue;
            return await SendAsync(method, path, list, weight, signed: true, cancellationToken);
        }
    }

    /// <summary>Measures Binance's clock against ours (GET /api/v3/time), halving the round trip.</summary>
    public async Task SyncServerTimeAsync(CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow();
        using var doc = await SendAsync(HttpMethod.Get, "/api/v3/time", [], 1, signed: false, cancellationToken);
        var after = time.GetUtcNow();
        var server = DateTimeOffset.FromUnixTimeMilliseconds(doc.RootElement.GetProperty("serverTime").GetInt64());
        _clockOffset = server - (before + ((after - before) / 2));
        _clockSyncedAt = after;
        logger.LogDebug("Binance server time offset {OffsetMs} ms", _clockOffset.TotalMilliseconds);
    }

    public void Dispose() => _clockLock.Dispose();

    internal static string Encode(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    private async Task<JsonDocument> SendAsync(HttpMethod method, string path, IEnumerable<KeyValuePair<string, string>> parameters, int weight, bool signed, CancellationToken cancellationToken)
    {
        var payload = parameters.ToList();
        if (signed)
        {
            await EnsureClockAsync(cancellationToken);
            var timestamp = (time.GetUtcNow() + _clockOffset).ToUnixTimeMilliseconds();
            payload.Add(new("timestamp", timestamp.ToString(CultureInfo.InvariantCulture)));
            payload.Add(new("recvWindow", _options.RecvWindowMs.ToString(CultureInfo.InvariantCulture)));
        }

        var encoded = Encode(payload);
        if (signed)
        {
            encoded += "&signature=" + BinanceSigner.Sign(_options.ApiSecret!, encoded);
        }

        var inBody = method == HttpMethod.Post || method == HttpMethod.Put;
        using var request = new HttpRequestMessage(method, encoded.Length == 0 || inBody ? path : $"{path}?{encoded}");
        if (inBody)
        {
            request.Content = new StringContent(encoded, Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        if (signed)
        {
            request.Headers.Add("X-MBX-APIKEY", _options.ApiKey);
        }

        Weight.Acquire(weight);
        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new ExchangeException(ExchangeErrorType.Network, $"Binance {method} {path}: {ex.Message}", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new ExchangeException(ExchangeErrorType.Network, $"Binance {method} {path} timed out", ex);
        }
        catch (BrokenCircuitException ex)
        {
            throw new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, $"Binance {method} {path}: too many failures, pausing calls", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExchangeException(ExchangeErrorType.Network, $"Binance {method} {path} timed out", ex);
        }

        using (response)
        {
            Weight.Observe(response);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var error = BinanceErrors.Map(response.StatusCode, body);
                logger.LogWarning("Binance {Method} {Path} failed: {ErrorType} {Error}", method, path, error.ErrorType, error.Message);
                throw error;
            }

            try
            {
                return JsonDocument.Parse(body);
            }
            catch (JsonException ex)
            {
                throw new ExchangeException(ExchangeErrorType.ExchangeNotAvailable, $"Binance {method} {path} answered something that is not JSON", ex);
            }
        }
    }

    private async Task EnsureClockAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() - _clockSyncedAt < _options.ServerTimeRefresh)
        {
            return;
        }

        await _clockLock.WaitAsync(cancellationToken);
        try
        {
            if (time.GetUtcNow() - _clockSyncedAt >= _options.ServerTimeRefresh)
            {
                await SyncServerTimeAsync(cancellationToken);
            }
        }
        finally
        {
            _clockLock.Release();
        }
    }
}
