using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Trading;

/// <summary>One currency of a <see cref="BookReconciliation"/>: what the books say the account holds, what it holds (free + used).</summary>
public sealed record CurrencyBooks(string Currency, decimal Expected, decimal Actual, decimal Difference, decimal Tolerance, bool Agrees);

/// <summary>
/// The prices an equity check values the account at: one unit of each currency in <paramref name="Quote"/> (the currency
/// PnL is counted in, worth 1 whatever <paramref name="Prices"/> says of it).
/// </summary>
public sealed record EquityMarks(string Quote, IReadOnlyDictionary<string, decimal> Prices)
{
    /// <summary>The price of one <paramref name="currency"/>; throws when the caller priced a currency it holds nothing of.</summary>
    public decimal Of(string currency) =>
        string.Equals(currency, Quote, StringComparison.Ordinal) ? 1m
        : Prices.TryGetValue(currency, out var price) ? price
        : throw new ArgumentException($"no mark for {currency}: the equity check needs a price for every currency booked or held", nameof(currency));
}

/// <summary>
/// The account valued at <see cref="EquityMarks"/> against what the books explain: the starting balances at the same marks,
/// plus the realized PnL of closed parts, the unrealized PnL of open parts at the mark (entry fee counted, no exit fee),
/// plus two revaluations the PnL figures cannot see: dust (coins booked as sold at <see cref="Position.ExitPrice"/> but
/// still held, now worth the mark) and fees paid in a currency that is neither the quote nor netted into a fill (BNB, or
/// base taken on top of a sale), booked at their value then and worth the mark now.
/// </summary>
public sealed record EquityBooks(
    decimal AccountEquity,
    decimal StartEquity,
    decimal RealizedPnl,
    decimal UnrealizedPnl,
    decimal DustRevaluation,
    decimal FeeRevaluation,
    decimal ExpectedEquity,
    decimal Difference,
    decimal Tolerance,
    bool Agrees);

/// <summary>
/// Do the engine's books agree with the exchange account? Pure: from the starting balances and every position part (open
/// and closed, remainders and dust parts included) it derives what each currency should hold, and compares that with the
/// account's totals (free + used). The legs booked per part (a = <see cref="Position.Amount"/>, what the account holds
/// after a fee taken in the base asset):
/// <list type="bullet">
/// <item><b>Long entry</b>, a BUY of a + b at the entry price, where b is the entry charge in the base asset (the venue
/// kept it, so a is net of it): quote −= (a + b) × entry price; base += a; every other entry charge (quote, BNB, …) is
/// subtracted from its currency. The base charge is not subtracted again.</item>
/// <item><b>Long exit</b> (closed, reason not <see cref="ExitReason.Dust"/>), a SELL of a at the exit price: base −= a;
/// quote += a × exit price; every exit charge subtracted from its currency.</item>
/// <item><b>Short entry</b>, a SELL of a: base −= a; quote += a × entry price; every entry charge subtracted from its
/// currency.</item>
/// <item><b>Short exit</b>, a BUY of a + b at the exit price, b the exit charge in the base asset: quote −= (a + b) × exit
/// price; base += a; every other exit charge subtracted from its currency.</item>
/// <item><b>Dust part</b>: no exit leg. It was closed in the books at the mark without an order; the coins stay.</item>
/// </list>
/// Expected[c] = start[c] + Σ legs[c]. Old rows without charge lists count their fee as one quote charge
/// (<see cref="Position.EntryCharges"/>). A split entry's charges are divided between its parts, so the parts' legs add up
/// to the one fill. Each currency agrees when |expected − actual| ≤ tolerance, tolerance = tolerance per fill × the number
/// of fills booked (distinct entry and exit order ids, at least 1): every fill may leave a last-digit rounding. The
/// optional equity check (<see cref="EquityBooks"/>) carries that tolerance through the marks (Σ over currencies of
/// tolerance × mark) plus one more for fee values rounded in quote.
/// </summary>
public sealed record BookReconciliation(IReadOnlyList<CurrencyBooks> Currencies, EquityBooks? Equity, int Fills, bool Agrees)
{
    /// <summary>The last digit a fill may round on the paper exchange and Binance spot (8 decimals).</summary>
    public const decimal DefaultTolerancePerFill = 0.00000001m;

    /// <summary>The currencies that disagree, for a log line or a report (empty when the books agree).</summary>
    public IEnumerable<CurrencyBooks> Disagreements => Currencies.Where(c => !c.Agrees);

    /// <summary>Reconciles the books (<paramref name="positions"/>: every part, open and closed) with <paramref name="account"/>.</summary>
    /// <param name="startingBalances">What the account held before the first position, per currency.</param>
    /// <param name="positions">Every position part the books hold, open and closed, each once.</param>
    /// <param name="account">The account's balances now (compared on their totals, free + used).</param>
    /// <param name="marks">When given, the equity check is made at these prices.</param>
    /// <param name="tolerancePerFill">The rounding a single fill may leave in a currency (see the type's summary).</param>
    public static BookReconciliation Check(
        IReadOnlyDictionary<string, decimal> startingBalances,
        IEnumerable<Position> positions,
        Balances account,
        EquityMarks? marks = null,
        decimal tolerancePerFill = DefaultTolerancePerFill)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tolerancePerFill);
        var parts = positions.ToList();
        var expected = ExpectedBalances(startingBalances, parts);
        var fills = Math.Max(1, parts.Select(p => p.EntryOrderId).Concat(parts.Select(p => p.ExitOrderId).OfType<string>()).Distinct(StringComparer.Ordinal).Count());
        var tolerance = tolerancePerFill * fills;

        var lines = expected.Keys.Union(account.ByCurrency.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(c =>
            {
                var want = expected.GetValueOrDefault(c);
                var have = account.ByCurrency.TryGetValue(c, out var b) ? b.Total : 0m;
                return new CurrencyBooks(c, want, have, have - want, tolerance, Math.Abs(have - want) <= tolerance);
            })
            .ToList();
        var equity = marks is null ? null : EquityCheck(startingBalances, parts, lines, marks, tolerance);
        return new BookReconciliation(lines, equity, fills, lines.All(l => l.Agrees) && (equity?.Agrees ?? true));
    }

    /// <summary>What each currency should hold: the starting balances plus every part's legs (see the type's summary).</summary>
    public static IReadOnlyDictionary<string, decimal> ExpectedBalances(IReadOnlyDictionary<string, decimal> startingBalances, IEnumerable<Position> positions)
    {
        var books = new Dictionary<string, decimal>(startingBalances, StringComparer.Ordinal);
        void Add(string currency, decimal amount) => books[currency] = books.GetValueOrDefault(currency) + amount;

        foreach (var p in positions)
        {
            var exits = !p.IsOpen && p.ExitReason != ExitReason.Dust;
            if (p.Side == PositionSide.Long)
            {
                Add(p.Quote, -(p.Amount + NettedBase(p, p.EntryCharges)) * p.EntryPrice);
                Add(p.Base, p.Amount);
                Subtract(p.EntryCharges, exceptNetted: p.Base);
                if (exits)
                {
                    Add(p.Base, -p.Amount);
                    Add(p.Quote, p.Amount * p.ExitPrice!.Value);
                    Subtract(p.ExitCharges, exceptNetted: null);
                }
            }
            else
            {
                Add(p.Base, -p.Amount);
                Add(p.Quote, p.Amount * p.EntryPrice);
                Subtract(p.EntryCharges, exceptNetted: null);
                if (exits)
                {
                    Add(p.Quote, -(p.Amount + NettedBase(p, p.ExitCharges)) * p.ExitPrice!.Value);
                    Add(p.Base, p.Amount);
                    Subtract(p.ExitCharges, exceptNetted: p.Base);
                }
            }
        }

        return books;

        void Subtract(IReadOnlyList<FeeCharge> charges, string? exceptNetted)
        {
            foreach (var c in charges)
            {
                if (!string.Equals(c.Currency, exceptNetted, StringComparison.Ordinal))
                {
                    Add(c.Currency, -c.Amount);
                }
            }
        }
    }

    private static decimal NettedBase(Position p, IReadOnlyList<FeeCharge> charges) => FeeCharge.In(charges, p.Base);

    private static EquityBooks EquityCheck(IReadOnlyDictionary<string, decimal> start, List<Position> parts, List<CurrencyBooks> lines, EquityMarks marks, decimal tolerance)
    {
        decimal Value(string currency, decimal amount) => amount == 0m ? 0m : amount * marks.Of(currency);

        var accountEquity = lines.Sum(l => Value(l.Currency, l.Actual));
        var startEquity = start.Sum(kv => Value(kv.Key, kv.Value));
        decimal realized = 0m, unrealized = 0m, dust = 0m, fees = 0m;
        foreach (var p in parts)
        {
            var sign = p.Side == PositionSide.Long ? 1m : -1m;
            if (p.IsOpen)
            {
                unrealized += p.UnrealizedPnl(marks.Of(p.Base));
            }
            else
            {
                realized += p.RealizedPnl ?? 0m;
                if (p.ExitReason == ExitReason.Dust)
                {
                    // Booked as sold at the exit price, still held (a long's coins) or still owed (a short's): worth the mark now.
                    dust += sign * p.Amount * (marks.Of(p.Base) - p.ExitPrice!.Value);
                }
            }

            // A fee is in the PnL at its value when charged; what the account lost is the coins, worth the mark now. A base
            // charge netted into a fill (long entry, short exit) is priced at that fill in both, so it needs nothing here.
            var longSide = p.Side == PositionSide.Long;
            fees += FeeRevaluation(p.EntryCharges, p.EntryFee, longSide ? p.Base : null, p.EntryPrice);
            if (!p.IsOpen && p.ExitReason != ExitReason.Dust)
            {
                fees += FeeRevaluation(p.ExitCharges, p.ExitFee ?? 0m, longSide ? null : p.Base, p.ExitPrice!.Value);
            }
        }

        decimal FeeRevaluation(IReadOnlyList<FeeCharge> charges, decimal bookedValue, string? netted, decimal fillPrice)
        {
            var nettedValue = netted is null ? 0m : FeeCharge.In(charges, netted) * fillPrice;
            var heldValue = charges.Where(c => !string.Equals(c.Currency, netted, StringComparison.Ordinal)).Sum(c => Value(c.Currency, c.Amount));
            return bookedValue - nettedValue - heldValue;
        }

        var expectedEquity = startEquity + realized + unrealized + dust + fees;
        var equityTolerance = tolerance * (1m + lines.Where(l => l.Expected != 0m || l.Actual != 0m).Sum(l => Math.Abs(marks.Of(l.Currency))));
        var difference = accountEquity - expectedEquity;
        return new EquityBooks(accountEquity, startEquity, realized, unrealized, dust, fees, expectedEquity, difference, equityTolerance, Math.Abs(difference) <= equityTolerance);
    }
}
