using System.Globalization;
using NeuraTrade.Core.Markets;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Arbitrage;

/// <summary>What a venue started with (paper: <c>StartingValue</c>, half base, half quote); the status measures the drift from it.</summary>
public sealed record VenueStart(string Venue, decimal Base, decimal Quote);

/// <summary>One venue in the status: what it holds free now, what it started with, and the difference.</summary>
public sealed record VenueInventory(
    string Venue,
    string Symbol,
    decimal QuoteRate,
    decimal? BaseFree,
    decimal? QuoteFree,
    decimal? StartBase,
    decimal? StartQuote,
    decimal? BaseDrift,
    decimal? QuoteDrift,
    string? Error);

/// <summary>Today's arbitrages (the app's UTC day): how many traded, their profit, and every outcome counted by status.</summary>
public sealed record ArbitrageDay(DateOnly Day, int Trades, decimal Pnl, decimal ScalpingPnl, IReadOnlyDictionary<string, int> OutcomesByStatus);

/// <summary>The arbitrage's status: toggle, venues with inventory and drift, how to rebalance, the last scan and today's figures.</summary>
public sealed record ArbitrageOverview(
    bool Enabled,
    string? OffReason,
    string? AccountRefusal,
    IReadOnlyList<VenueInventory> Venues,
    IReadOnlyList<string> Rebalance,
    DateTimeOffset? LastScanAt,
    string? LastScan,
    decimal? LastBestEdgePercent,
    ArbitrageDay Today,
    ReplaySnapshot? Replay);

/// <summary>The arbitrage's controls for the hosts: status, toggle, and the kill switch's part.</summary>
public sealed class ArbitrageControl(
    ArbitrageDesk desk,
    IArbitrageStore store,
    ArbitrageAccountGate gate,
    IReadOnlyList<VenueStart> starts,
    IMarketReplay replay,
    TimeProvider time)
{
    public async Task<bool> SetEnabledAsync(bool enabled, CancellationToken cancellationToken) =>
        (await store.SetEnabledAsync(enabled, null, time.GetUtcNow(), cancellationToken)).Enabled;

    /// <summary>The kill switch stops the arbitrage too, and says so until someone toggles it on again.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.SetEnabledAsync(false, F($"the kill switch fired at {now:O}: arbitrage is off until toggled on"), now, cancellationToken);
    }

    public async Task<ArbitrageOverview> GetStatusAsync(CancellationToken cancellationToken)
    {
        var state = await store.GetStateAsync(cancellationToken);
        var venues = await Task.WhenAll(desk.Venues.Select(v => InventoryAsync(v, cancellationToken)));
        var now = time.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var outcomes = await store.GetOutcomesAsync(day, cancellationToken);
        var (scalping, _) = await gate.DayPnlAsync(cancellationToken);
        var today = new ArbitrageDay(
            day,
            outcomes.Count(o => o.Outcome.Bought > 0m),
            outcomes.Sum(o => o.Outcome.Profit),
            scalping,
            outcomes.GroupBy(o => o.Outcome.Status.ToString().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        return new ArbitrageOverview(
            state.Enabled, state.OffReason, await gate.RefusalAsync(cancellationToken), venues, Rebalance(venues),
            state.LastScanAt, state.LastScanSummary, state.LastBestEdgePercent, today, replay.Current);
    }

    /// <summary>
    /// How to move the inventory back to where it started: venues above their starting base send it to those below (each
    /// surplus matched with the largest deficit first), and the same for quote, valued in the reference currency (each
    /// venue's quote may differ: BUSD on one, USDT on another).
    /// </summary>
    public static IReadOnlyList<string> Rebalance(IReadOnlyList<VenueInventory> venues)
    {
        var lines = new List<string>();
        var known = venues.Where(v => v.BaseDrift is not null && v.QuoteDrift is not null).ToList();
        var asset = known.Count > 0 ? MarketSymbol.Base(known[0].Symbol) : string.Empty;
        Match(known.Select(v => (v.Venue, v.BaseDrift!.Value)).ToList(), (amount, from, to) => lines.Add(F($"move {amount:0.########} {asset} from {from} to {to}")));
        var quotes = known.ToDictionary(v => v.Venue, v => MarketSymbol.Quote(v.Symbol), StringComparer.Ordinal);
        Match(
            known.Select(v => (v.Venue, Math.Round(v.QuoteDrift!.Value * v.QuoteRate, 8, MidpointRounding.ToZero))).ToList(),
            (amount, from, to) => lines.Add(F($"move {amount:0.########} of quote (reference currency) from {from} ({quotes[from]}) to {to} ({quotes[to]})")));
        return lines;
    }

    private static void Match(List<(string Venue, decimal Drift)> drifts, Action<decimal, string, string> move)
    {
        var surplus = drifts.Where(d => d.Drift > 0m).OrderByDescending(d => d.Drift).ToList();
        var deficit = drifts.Where(d => d.Drift < 0m).Select(d => (d.Venue, Need: -d.Drift)).OrderByDescending(d => d.Need).ToList();
        foreach (var (from, drift) in surplus)
        {
            var left = drift;
            for (var i = 0; i < deficit.Count && left > 0m; i++)
            {
                var amount = Math.Min(left, deficit[i].Need);
                if (amount <= 0m)
                {
                    continue;
                }

                move(amount, from, deficit[i].Venue);
                left -= amount;
                deficit[i] = (deficit[i].Venue, deficit[i].Need - amount);
            }
        }
    }

    private async Task<VenueInventory> InventoryAsync(ArbitrageVenue venue, CancellationToken cancellationToken)
    {
        var start = starts.FirstOrDefault(s => s.Venue == venue.Name);
        try
        {
            var balances = await venue.Exchange.FetchBalanceAsync(cancellationToken);
            var baseFree = balances.Free(MarketSymbol.Base(venue.Symbol));
            var quoteFree = balances.Free(MarketSymbol.Quote(venue.Symbol));
            return new VenueInventory(venue.Name, venue.Symbol, venue.QuoteRate, baseFree, quoteFree, start?.Base, start?.Quote, baseFree - start?.Base, quoteFree - start?.Quote, null);
        }
        catch (ExchangeException ex)
        {
            return new VenueInventory(venue.Name, venue.Symbol, venue.QuoteRate, null, null, start?.Base, start?.Quote, null, null, ex.Message);
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
