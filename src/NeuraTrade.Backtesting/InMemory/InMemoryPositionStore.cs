using NeuraTrade.Core.Scalping;
using NeuraTrade.Core.Trading;

namespace NeuraTrade.Backtesting;

/// <summary>
/// Open positions and every closed trade of a backtest, in memory, closed trades in closing order. Closed trades are
/// also indexed by UTC day: the risk gate reads today's and yesterday's every scan, and a scan over a million candles
/// must not walk every trade of the run each time.
/// </summary>
public sealed class InMemoryPositionStore : IPositionStore
{
    private readonly List<Position> _open = [];
    private readonly List<Position> _closed = [];
    private readonly Dictionary<DateOnly, List<Position>> _closedByDay = [];
    private readonly Dictionary<string, Position> _closedIds = new(StringComparer.Ordinal);
    private IReadOnlyList<Position> _openView = [];

    public int OpenCount => _open.Count;

    public IReadOnlyList<Position> Open => _openView;

    /// <summary>Closed trades, oldest close first.</summary>
    public IReadOnlyList<Position> Closed => _closed;

    public Task<IReadOnlyList<Position>> GetOpenAsync(CancellationToken cancellationToken) => Task.FromResult(_openView);

    public Task SaveOpenAsync(Position position, CancellationToken cancellationToken)
    {
        _open.RemoveAll(p => p.Id == position.Id);
        _open.Add(position);
        _openView = [.. _open];
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stores a closed part and removes its open row, as the table store does: a part that was never open (dust split off
    /// an exit or an entry) is stored all the same, and closing the same part again replaces it (never a second row).
    /// </summary>
    public Task CloseAsync(Position closed, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(closed.ClosedAt!.Value.UtcDateTime);
        if (_open.RemoveAll(p => p.Id == closed.Id) > 0)
        {
            _openView = [.. _open];
        }

        if (_closedIds.TryGetValue(closed.Id, out var earlier))
        {
            _closed[_closed.IndexOf(earlier)] = closed;
            _closedByDay[DateOnly.FromDateTime(earlier.ClosedAt!.Value.UtcDateTime)].Remove(earlier);
        }
        else
        {
            _closed.Add(closed);
        }

        _closedIds[closed.Id] = closed;
        if (!_closedByDay.TryGetValue(day, out var list))
        {
            _closedByDay[day] = list = [];
        }

        list.Add(closed);
        return Task.CompletedTask;
    }

    /// <summary>The trades closed on <paramref name="day"/> (UTC), newest first.</summary>
    public Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Position>>(_closedByDay.TryGetValue(day, out var list) ? list.AsEnumerable().Reverse().ToArray() : []);

    /// <summary>How many trades have closed so far.</summary>
    public int ClosedCount => _closed.Count;
}
