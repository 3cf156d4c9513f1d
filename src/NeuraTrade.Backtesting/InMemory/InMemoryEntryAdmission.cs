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
        string symbol, string decisionId, int maxPositions, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
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
            if (EntrySlotRule.Refusal(symbol, maxPositions, live, open) is { } refusal)
            {
                return Admission.Refused(refusal);
            }

            var slot = new EntrySlot(symbol, decisionId, until, Guid.NewGuid().ToString("N"));
            live.Add(slot);
            lock (_lock)
            {
                if (_version == version)
                {
                    _reservations = live;
                    _version++;
                    return new Admission(slot, null);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public Task ReleaseAsync(EntrySlot slot, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var kept = _reservations.Where(r => r.Token != slot.Token).ToList();
            if (kept.Count != _reservations.Count)
            {
                _reservations = kept;
                _version++;
            }
        }

        return Task.CompletedTask;
    }
}
