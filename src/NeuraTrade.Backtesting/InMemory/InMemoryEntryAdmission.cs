using NeuraTrade.Core.Risk;
using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting;

/// <summary>
/// Entry admission in one process with the table's semantics (<see cref="EntrySlotRule"/> over the live reservations
/// and <paramref name="positions"/>' open positions). For backtests, benchmarks and unit tests, where one process is
/// the whole world.
/// </summary>
/// <remarks>
/// Works like the table: read the reservations and their version, then the positions (in that order, for the reason
/// <c>TableEntryAdmission</c> gives), and commit only if the version is unchanged, else start over. The positions are
/// read outside the lock because the port is asynchronous; the version check makes the decision and the write one step.
/// </remarks>
public sealed class InMemoryEntryAdmission(IPositionStore positions) : IEntryAdmission
{
    private readonly Lock _lock = new();
    private List<EntrySlot> _reservations = [];
    private long _version;

    public async Task<Admission> TryReserveAsync(
        string symbol, string decisionId, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
        (await TryReserveManyAsync([new SlotRequest(symbol, decisionId)], maxPositions, now, until, cancellationToken))[0];

    public async Task<IReadOnlyList<Admission>> TryReserveManyAsync(
        IReadOnlyList<SlotRequest> requests, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(until, now);
        while (true)
        {
            List<EntrySlot> live;
            long version;
            lock (_lock)
            {
                live = EntrySlotRule.Live(_reservations, now);
                version = _version;
            }

            var open = await positions.GetOpenAsync(cancellationToken);
            var admissions = EntrySlotRule.Admit(requests, maxPositions, live, open, until);

            lock (_lock)
            {
                if (_version == version)
                {
                    if (admissions.Any(a => a.Admitted))
                    {
                        _reservations = live;
                        _version++;
                    }

                    return admissions;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public Task ReleaseManyAsync(IReadOnlyCollection<EntrySlot> slots, CancellationToken cancellationToken)
    {
        var tokens = slots.Select(s => s.Token).ToHashSet(StringComparer.Ordinal);
        lock (_lock)
        {
            var kept = _reservations.Where(r => !tokens.Contains(r.Token)).ToList();
            if (kept.Count != _reservations.Count)
            {
                _reservations = kept;
                _version++;
            }
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync(EntrySlot slot, CancellationToken cancellationToken) => ReleaseManyAsync([slot], cancellationToken);
}
