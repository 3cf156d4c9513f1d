using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges.Binance;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Exchanges;

/// <summary>
/// Says at start, plainly, whether orders are simulated, test or real, and (testnet, live, or paper on the live
/// feed) loads the venue's markets so the first scan finds them. Never logs a key.
/// </summary>
public sealed class TradingModeAnnouncement(
    IExchange exchange,
    IOptions<TradingOptions> trading,
    IOptions<PaperExchangeOptions> paper,
    IServiceProvider services,
    ILogger<TradingModeAnnouncement> logger) : IHostedService
{
    public static string Describe(TradingMode mode, string exchangeName, string marketData, string baseUrl) => mode switch
    {
        TradingMode.Live => $"Trading mode: LIVE. REAL ORDERS with real money on {exchangeName} ({baseUrl}).",
        TradingMode.Testnet => $"Trading mode: TESTNET. Orders go to the Binance spot testnet ({baseUrl}); no real money.",
        _ => $"Trading mode: PAPER. Orders are simulated on {exchangeName} (market data: {marketData}); no real orders.",
    };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var mode = trading.Value.ParsedMode;
        var line = Describe(mode, exchange.Name, paper.Value.MarketData, ExchangeComposition.BinanceBaseUrl(services));
        if (mode == TradingMode.Live)
        {
            logger.LogWarning("{TradingMode}", line);
        }
        else
        {
            logger.LogInformation("{TradingMode}", line);
        }

        if (exchange is BinanceSpotExchange || !string.Equals(paper.Value.MarketData, "replay", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                await exchange.LoadMarketsAsync(cancellationToken);
            }
            catch (ExchangeException ex)
            {
                logger.LogWarning("Could not load the venue's markets at start ({ErrorType}): {Error}; retried on first use", ex.ErrorType, ex.Message);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
