using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Storage;

namespace NeuraTrade.Cli;

/// <summary>
/// What the read-only storage commands (<c>decisions</c>, <c>trades</c>) share: the storage services with the same settings
/// as <c>serve</c>, Azurite started when it is not running, and exit code 2 with the message for a configuration or Azurite
/// error.
/// </summary>
internal static class StorageCommand
{
    public static async Task<int> RunAsync(Func<IServiceProvider, Task> body, CancellationToken cancellationToken)
    {
        IConfiguration configuration;
        try
        {
            // The same sources, spellings and unknown-key check as the other commands.
            configuration = BacktestCommand.Configuration([]);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
            return 2;
        }

        try
        {
            await using var services = new ServiceCollection()
                .AddSingleton(TimeProvider.System)
                .AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
                .AddNeuraTradeStorage(configuration)
                .BuildServiceProvider();
            await using var azurite = await StorageBootstrap.EnsureAsync(services, m => Console.Error.WriteLine(m), cancellationToken);
            await body(services);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {string.Join(" ", ex.Failures)}");
            return 2;
        }
        catch (InvalidOperationException ex) when (ex.Message.Contains("Azurite", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }
}
