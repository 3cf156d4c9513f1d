using NeuraTrade.Core.Trading;

namespace NeuraTrade.Core.Scalping;

/// <summary>Open positions and closed trades.</summary>
public interface IPositionStore
{
    Task<IReadOnlyList<Position>> GetOpenAsync(CancellationToken cancellationToken);

    Task SaveOpenAsync(Position position, CancellationToken cancellationToken);

    /// <summary>Records the closed trade, then removes the open position; safe to repeat.</summary>
    Task CloseAsync(Position closed, CancellationToken cancellationToken);

    /// <summary>Trades closed on a UTC day, newest first.</summary>
    Task<IReadOnlyList<Position>> GetClosedAsync(DateOnly day, CancellationToken cancellationToken);
}
