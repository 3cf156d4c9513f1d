using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Trading;

/// <summary>
/// Where a live account's books start: what the account held (<see cref="Balances"/>, totals per currency, every
/// currency, BNB and coins the app never trades included) before the app's positions opened at or after
/// <see cref="PositionsSince"/>. The books of the account are then <see cref="Balances"/> plus the legs of those
/// positions (<see cref="BookReconciliation"/>); positions opened earlier are already in <see cref="Balances"/>.
/// </summary>
/// <remarks>
/// Recorded once (<see cref="Record"/>) from the account as read at <see cref="RecordedAt"/>. Positions the app holds open
/// then are counted rather than left out: <see cref="PositionsSince"/> goes back to the oldest of them and their legs (and
/// those of every part opened since, closed or not) are taken out of the account as read, so their exits later add up.
/// Moved forward now and then (<see cref="RolledTo"/>) so that a check reads a few days of closed trades, not all of them:
/// the parts it stops counting are folded into <see cref="Balances"/> as the books had them, so a difference stays one.
/// </remarks>
/// <param name="PositionsSince">Positions opened at or after this instant are counted (remainders keep their part's entry time).</param>
/// <param name="RecordedAt">When the account was read; a roll does not change it.</param>
/// <param name="Balances">The account before the counted positions, per currency.</param>
/// <param name="Version">The store's concurrency token (an ETag); empty before the baseline is stored.</param>
public sealed record AccountBaseline(DateTimeOffset PositionsSince, DateTimeOffset RecordedAt, IReadOnlyDictionary<string, decimal> Balances, string Version = "")
{
    /// <summary>
    /// The baseline of <paramref name="account"/> read at <paramref name="now"/>: positions are counted from the oldest
    /// entry still open among <paramref name="parts"/> (or from now), and the legs of every counted part are taken out of
    /// the account's totals. <paramref name="parts"/> must hold every part (open and closed) opened since then.
    /// </summary>
    public static AccountBaseline Record(Balances account, IEnumerable<Position> parts, DateTimeOffset now)
    {
        var all = parts.ToList();
        var since = CountFrom(all.Where(p => p.IsOpen), now);
        var legs = BookReconciliation.ExpectedBalances(new Dictionary<string, decimal>(StringComparer.Ordinal), all.Where(p => p.OpenedAt >= since));
        var balances = account.ByCurrency.ToDictionary(kv => kv.Key, kv => kv.Value.Total, StringComparer.Ordinal);
        foreach (var (currency, moved) in legs)
        {
            balances[currency] = balances.GetValueOrDefault(currency) - moved;
        }

        return new AccountBaseline(since, now, balances);
    }

    /// <summary>The instant a baseline recorded at <paramref name="now"/> counts positions from: the oldest entry of <paramref name="open"/>, else now.</summary>
    public static DateTimeOffset CountFrom(IEnumerable<Position> open, DateTimeOffset now) =>
        open.Select(p => p.OpenedAt).Append(now).Min();

    /// <summary>The parts of <paramref name="parts"/> this baseline counts (opened at or after <see cref="PositionsSince"/>).</summary>
    public IEnumerable<Position> Counted(IEnumerable<Position> parts) => parts.Where(p => p.OpenedAt >= PositionsSince);

    /// <summary>
    /// This baseline counting positions from <paramref name="to"/> instead: the legs of the parts opened in between (all
    /// closed, else this throws) are added to <see cref="Balances"/>, so the books stay the same sum. <paramref name="parts"/>
    /// must hold every part opened since <see cref="PositionsSince"/>.
    /// </summary>
    public AccountBaseline RolledTo(DateTimeOffset to, IEnumerable<Position> parts)
    {
        if (to <= PositionsSince)
        {
            throw new ArgumentOutOfRangeException(nameof(to), to, $"a baseline only rolls forward (it counts from {PositionsSince:O})");
        }

        var passed = Counted(parts).Where(p => p.OpenedAt < to).ToList();
        if (passed.FirstOrDefault(p => p.IsOpen) is { } open)
        {
            throw new ArgumentException($"position {open.Id} opened at {open.OpenedAt:O} is still open: the baseline cannot roll past it", nameof(parts));
        }

        return this with { PositionsSince = to, Balances = BookReconciliation.ExpectedBalances(Balances, passed) };
    }
}
