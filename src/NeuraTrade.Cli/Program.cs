using System.CommandLine;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NeuraTrade.Cli.LocalHost;
using NeuraTrade.Core.Scalping;
using NeuraTrade.Functions.Composition;

var urls = new Option<string>("--urls") { Description = "Where the local host listens.", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
var serveConfig = NeuraTrade.Cli.ConfigFiles.Option();
var serve = new Command("serve", "Serve the Functions app's HTTP functions and timer locally (no Azure Functions Core Tools needed).") { urls, serveConfig };
serve.SetAction((parse, ct) => Commands.ServeAsync(parse.GetValue(urls)!, parse.GetValue(serveConfig) ?? [], ct));

var scanConfig = NeuraTrade.Cli.ConfigFiles.Option();
var scan = new Command("scan", "Run one scalping scan now and print what it did.") { scanConfig };
scan.SetAction((parse, ct) => Commands.ScanOnceAsync(parse.GetValue(scanConfig) ?? [], ct));

var root = new RootCommand("NeuraTrade: AI-driven crypto trading backend (local host and tools).")
{
    serve,
    scan,
    NeuraTrade.Cli.MarketCommand.Create(),
    NeuraTrade.Cli.DecisionsCommand.Create(),
    NeuraTrade.Cli.TradesCommand.Create(),
    NeuraTrade.Cli.PerformanceCommand.Create(),
    NeuraTrade.Cli.BacktestCommand.Create(),
    NeuraTrade.Cli.ArenaCommand.Create(),
    NeuraTrade.Cli.Bench.BenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();

internal static class Commands
{
    public static async Task<int> ServeAsync(string urls, string[] configFiles, CancellationToken cancellationToken)
    {
        return await RunAsync(urls, configFiles, async (app, ct) =>
        {
            await app.StartAsync(ct);
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var catalog = app.Services.GetRequiredService<FunctionCatalog>();
            Console.WriteLine($"NeuraTrade local host listening on {string.Join(", ", addresses)}");
            foreach (var f in catalog.Http)
            {
                Console.WriteLine($"  {f.Name,-22} {string.Join('|', f.Methods),-5} /{catalog.RoutePrefix}/{f.Route}");
            }

            foreach (var t in catalog.Timers)
            {
                Console.WriteLine($"  {t.Name,-22} timer '{LocalFunctionHost.ResolveSettings(t.Schedule, app.Configuration)}'");
            }

            foreach (var q in catalog.Queues)
            {
                Console.WriteLine($"  {q.Name,-22} queue '{LocalFunctionHost.ResolveSettings(q.QueueName, app.Configuration)}'");
            }

            foreach (var line in app.Services.GetRequiredService<StartupReport>().Lines())
            {
                Console.WriteLine(line);
            }

            Console.WriteLine("Press Ctrl+C to stop.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        }, cancellationToken);
    }

    public static Task<int> ScanOnceAsync(string[] configFiles, CancellationToken cancellationToken) =>
        RunAsync("http://127.0.0.1:0", configFiles, async (app, ct) =>
        {
            // What a start validates (every section's options, and no unknown key), without starting the timer.
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            var report = await app.Services.GetRequiredService<ScalpingEngine>().RunScanAsync(ct);
            Console.WriteLine(report.Summary);
            return 0;
        }, cancellationToken);

    private static async Task<int> RunAsync(string urls, string[] configFiles, Func<Microsoft.AspNetCore.Builder.WebApplication, CancellationToken, Task<int>> body, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = LocalFunctionHost.Build(urls, c => NeuraTrade.Cli.ConfigFiles.Add(c, configFiles));
            await using var azurite = await StorageBootstrap.EnsureAsync(app.Services, Console.WriteLine, cancellationToken);
            return await body(app, cancellationToken);
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"Configuration error: {string.Join(" ", ex.Failures)}");
            return 2;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException
            || (ex is InvalidOperationException && (ex.Message.Contains("Azurite", StringComparison.Ordinal) || ex.Message.Contains("Setting '", StringComparison.Ordinal) || ex.Message.StartsWith("--config", StringComparison.Ordinal) || ex.Message.StartsWith("LocalHost:", StringComparison.Ordinal))))
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }
}
