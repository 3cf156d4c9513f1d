namespace NeuraTrade.Core.Scalping;

/// <summary>Durable scalping state with optimistic concurrency: a change is re-applied on a conflicting write.</summary>
public interface IScalpingStateStore
{
    Task<ScalpingState> GetAsync(CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="change"/> to the latest state and stores it; retried when another writer won.</summary>
    Task<ScalpingState> UpdateAsync(Func<ScalpingState, ScalpingState> change, CancellationToken cancellationToken);
}
