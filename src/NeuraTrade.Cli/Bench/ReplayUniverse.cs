namespace NeuraTrade.Cli.Bench;

/// <summary>
/// A replay folder of more markets on one clock than the repository bundles: the bundled X/BTC 5m files (recorded over
/// the same days), and copies of them under other names (<c>ADA2/BTC</c> is <c>ADA/BTC</c>'s file) until there are as
/// many as asked. No price is made up: a copy repeats a real market. Deleted when disposed.
/// </summary>
internal sealed class ReplayUniverse : IDisposable
{
    private ReplayUniverse(string directory, IReadOnlyList<string> real, IReadOnlyList<(string Symbol, string Of)> copies)
    {
        Directory = directory;
        Real = real;
        Copies = copies;
    }

    public string Directory { get; }

    /// <summary>
    /// <paramref name="settings"/> with the account the X/BTC markets are traded with: BTC as the account's currency, 100 BTC
    /// to start, and the venue's minimum and the limits as BTC amounts (USDT-sized defaults, such as a daily loss of 100,
    /// would be 100 BTC here). The benches and the tests over these markets share it.
    /// </summary>
    public static Dictionary<string, string?> WithBtcAccount(Dictionary<string, string?> settings)
    {
        settings["Exchange:QuoteCurrency"] = "BTC";
        settings["Exchange:StartingBalance"] = "100";
        settings["Exchange:MinNotional"] = "0.0001";
        settings["Scalping:MinOrderNotional"] = "0.001";
        settings["Scalping:MaxPositionSize"] = "1";
        settings["Scalping:MaxDailyLoss"] = "0.5";
        settings["Scalping:MaxDrawdown"] = "0.75";
        return settings;
    }

    /// <summary>
    /// <paramref name="settings"/> as environment variables for a separate process (<c>Section:Key</c> as
    /// <c>Section__Key</c>), e.g. the <see cref="WithBtcAccount"/> settings of a <c>serve</c> process.
    /// </summary>
    public static Dictionary<string, string> AsEnvironment(Dictionary<string, string?> settings) =>
        settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value ?? string.Empty, StringComparer.Ordinal);

    public IReadOnlyList<string> Real { get; }

    public IReadOnlyList<(string Symbol, string Of)> Copies { get; }

    public IReadOnlyList<string> Symbols => Real.Concat(Copies.Select(c => c.Symbol)).ToList();

    public static ReplayUniverse Create(int count)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "data", "candles");
        var files = System.IO.Directory.EnumerateFiles(source, "*_BTC-5m.csv").Order(StringComparer.Ordinal).ToList();
        var directory = Path.Combine(Path.GetTempPath(), "neuratrade-bench-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(source, "markets.json"), Path.Combine(directory, "markets.json"));
        var real = new List<string>();
        var copies = new List<(string, string)>();
        foreach (var file in files.Take(count))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
            real.Add(Symbol(file));
        }

        for (var i = 0; real.Count + copies.Count < count; i++)
        {
            var file = files[i % files.Count];
            var name = Path.GetFileName(file);
            var copy = name.Replace("_BTC-", $"{2 + (i / files.Count)}_BTC-", StringComparison.Ordinal);
            File.Copy(file, Path.Combine(directory, copy));
            copies.Add((Symbol(copy), Symbol(file)));
        }

        return new ReplayUniverse(directory, real, copies);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a stopping host: the temporary folder is left for the system to clean.
        }
    }

    private static string Symbol(string file) => Path.GetFileNameWithoutExtension(file).Split('-')[0].Replace('_', '/');
}
