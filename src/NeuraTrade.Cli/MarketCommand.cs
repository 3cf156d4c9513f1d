using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;
using NeuraTrade.Exchanges;
using NeuraTrade.Exchanges.Paper;

namespace NeuraTrade.Cli;

/// <summary>
/// <c>neuratrade market ticker|orderbook|candles SYMBOL [--exchange paper|binance] [--limit N]</c>: prints the
/// unified structure as JSON. <c>paper</c> reads the bundled replay (offline); <c>binance</c> reads Binance's public
/// REST data (no keys; <c>Exchange:Binance:BaseUrl</c> may point at the testnet or a local stand-in). Read-only:
/// never places an order, never needs storage.
/// </summary>
internal static class MarketCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Command Create()
    {
        var exchange = new Option<string>("--exchange") { Description = "Where the data comes from: paper (bundled replay, offline) or binance (public REST).", DefaultValueFactory = _ => "paper" };
        exchange.AcceptOnlyFromAmong("paper", "binance");
        var limit = new Option<int?>("--limit") { Description = "Book levels a side, or number of candles." };
        var timeframe = new Option<string>("--timeframe") { Description = "Candle timeframe, e.g. 1m, 5m, 1h.", DefaultValueFactory = _ => "5m" };

        var market = new Command("market", "Print market data in the unified (ccxt-shaped) structure as JSON.");
        market.Subcommands.Add(Sub("ticker", "The ticker: bid, ask, last, 24h figures where the venue has them.", exchange, limit, null, (feed, symbol, _, _, ct) => Box(feed.FetchTickerAsync(symbol, ct))));
        market.Subcommands.Add(Sub("orderbook", "The order book, best levels first (modelled from the candle on paper).", exchange, limit, null, (feed, symbol, n, _, ct) => Box(feed.FetchOrderBookAsync(symbol, n, ct))));
        market.Subcommands.Add(Sub("candles", "Closed candles, oldest first.", exchange, limit, timeframe, (feed, symbol, n, tf, ct) => Box(feed.FetchOhlcvAsync(symbol, tf, null, n ?? 20, ct))));
        return market;
    }

    private static Command Sub(
        string name,
        string description,
        Option<string> exchange,
        Option<int?> limit,
        Option<string>? timeframe,
        Func<IMarketDataFeed, string, int?, string, CancellationToken, Task<object>> read)
    {
        var symbol = new Argument<string>("symbol") { Description = "Unified symbol BASE/QUOTE, e.g. BTC/USDT." };
        var command = new Command(name, description) { symbol, exchange, limit };
        if (timeframe is not null)
        {
            command.Options.Add(timeframe);
        }

        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(exchange)!,
            parse.GetValue(symbol)!,
            parse.GetValue(limit),
            timeframe is null ? "5m" : parse.GetValue(timeframe)!,
            read,
            ct));
        return command;
    }

    private static async Task<int> RunAsync(string venue, string symbolText, int? limit, string timeframe, Func<IMarketDataFeed, string, int?, string, CancellationToken, Task<object>> read, CancellationToken cancellationToken)
    {
        if (!MarketSymbol.TryNormalize(symbolText, out var symbol))
        {
            await Console.Error.WriteLineAsync($"'{symbolText}' is not a BASE/QUOTE symbol, e.g. BTC/USDT.");
            return 2;
        }

        if (limit is <= 0)
        {
            await Console.Error.WriteLineAsync("--limit must be positive.");
            return 2;
        }

        try
        {
            await using var services = Build(venue);
            var feed = services.GetRequiredService<IMarketDataFeed>();
            var result = await read(feed, symbol, limit, timeframe, cancellationToken);
            Console.WriteLine(JsonSerializer.Serialize(result, result.GetType(), Json));
            return 0;
        }
        catch (ExchangeException ex)
        {
            await Console.Error.WriteLineAsync($"{ex.ErrorType}: {ex.Message}");
            return ex.IsTransient ? 3 : 1;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {string.Join(" ", ex.Failures)}");
            return 2;
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    /// <summary>The app's own exchange composition in paper mode, with the chosen market-data feed.</summary>
    private static ServiceProvider Build(string venue)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.Local.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Trading:Mode"] = "paper",
                ["Exchange:MarketData"] = venue == "binance" ? "binance" : "replay",
            })
            .Build();
        return new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning))
            .AddNeuraTradeExchange(configuration)
            .BuildServiceProvider();
    }

    private static async Task<object> Box<T>(Task<T> task) => (await task)!;
}
