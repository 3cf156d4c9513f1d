using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>What one scan did, symbol by symbol.</summary>
public sealed record ScanReport(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    bool Skipped,
    IReadOnlyList<SymbolScan> Symbols,
    string? SkipReason = null,
    IReadOnlyList<string>? Reconciled = null)
{
    public const string AnotherScanRunning = "another scan is running";

    /// <summary>
    /// When each step of the scan ended, on the wall clock, from its start (the claim asked for): where a scan's time goes
    /// (<c>bench scan-concurrency</c> prints them). Empty when another scan held the claim.
    /// </summary>
    public IReadOnlyList<ScanPhase> Phases { get; init; } = [];

    /// <summary>How many symbols the brain was asked about in this scan.</summary>
    public int Asked { get; init; }

    /// <summary>How many symbols the economy screen kept from the model (<see cref="Risk.MarketScreen"/>).</summary>
    public int Screened { get; init; }

    public int Entries => Symbols.Count(s => s.Opened is not null);

    public int Exits => Symbols.Sum(s => s.Closed.Count);

    /// <summary>One line for logs and the status endpoint.</summary>
    public string Summary => (Skipped
        ? $"skipped: {SkipReason ?? "scalping is toggled off"}" + (Exits > 0 ? $" ({Exits} exits)" : string.Empty)
        : $"{Symbols.Count} symbols, {Entries} entries, {Exits} exits: " +
          string.Join("; ", Symbols.Select(s => $"{s.Symbol} {s.Outcome}")))
        + (Reconciled is { Count: > 0 } found ? $"; reconciled: {string.Join("; ", found)}" : string.Empty);
}

/// <summary>One symbol's part of a scan.</summary>
public sealed record SymbolScan(string Symbol, string Outcome, string? DecisionId, Position? Opened, IReadOnlyList<Position> Closed);

/// <summary>A step of a scan and when it ended, from the scan's start (wall clock).</summary>
public sealed record ScanPhase(string Name, TimeSpan At);
