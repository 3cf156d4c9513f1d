using System.CommandLine;
using System.Reflection;

namespace NeuraTrade.Cli.Bench;

/// <summary>One end-to-end benchmark: prints ratios measured in one run (absolute times mislead on shared machines).</summary>
internal interface IBenchmark
{
    /// <summary>The name after <c>neuratrade bench</c>, e.g. <c>scan-concurrency</c>.</summary>
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken);

    /// <summary>Whether the benchmark takes <c>--runs N</c> (independent runs of its measurement, each printed, then their median).</summary>
    bool TakesRuns => false;
}

/// <summary>Common options of every benchmark; <paramref name="Runs"/> only for those that take it (<see cref="IBenchmark.TakesRuns"/>).</summary>
internal sealed record BenchSettings(int Repeats, bool Json, int Runs = 1);

/// <summary>
/// <c>neuratrade bench NAME [--repeats N] [--json] [--runs N]</c>. Every <see cref="IBenchmark"/> in this assembly is a
/// subcommand, so a benchmark is added by adding its class.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var repeats = new Option<int>("--repeats") { Description = "Measured repetitions (after one warm-up).", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the figures as JSON." };
        var bench = new Command("bench", "End-to-end benchmarks; each prints ratios measured in one run.");
        var runs = new Option<int>("--runs") { Description = "Independent runs of the measurement, each printed, then their median.", DefaultValueFactory = _ => 1 };
        foreach (var benchmark in All())
        {
            var command = new Command(benchmark.Name, benchmark.Description) { repeats, json };
            if (benchmark.TakesRuns)
            {
                command.Options.Add(runs);
            }

            command.SetAction((parse, ct) => benchmark.RunAsync(
                new BenchSettings(Math.Max(1, parse.GetValue(repeats)), parse.GetValue(json), benchmark.TakesRuns ? Math.Max(1, parse.GetValue(runs)) : 1), ct));
            bench.Subcommands.Add(command);
        }

        return bench;
    }

    public static IReadOnlyList<IBenchmark> All() =>
        typeof(BenchCommand).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmark).IsAssignableFrom(t))
            .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
}
