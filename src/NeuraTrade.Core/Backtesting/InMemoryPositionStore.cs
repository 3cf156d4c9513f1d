using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Core.Backtesting;

/// <summary>Open positions and every closed trade of a backtest, in memory, closed trades in closing order.</summary>
public sealed class InMemoryPositionStore : IPositionStore
{
    private readonly List<Position> _open = [];
    private readonly List<Position> _closed = [];
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

    public Task CloseAsync(Position closed, CancellationToken cancellationToken)
    {
        if (_open.RemoveAll(p => p.Id == closed.Id) > 0)
        {
            _closed.Add(closed);
            _openView = [.. _open];
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Position>>(_closed
            .Where(p => p.ClosedAt is { } at && DateOnly.FromDateTime(at.UtcDateTime) == day)
            .Reverse()
            .ToArray());
}
