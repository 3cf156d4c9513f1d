using NeuraTrade.Core.Scalping;

namespace NeuraTrade.Backtesting;

/// <summary>The scalping state of a backtest: one process, one writer, so no concurrency control is needed.</summary>
public sealed class InMemoryScalpingStateStore(ScalpingState initial) : IScalpingStateStore
{
    private ScalpingState _state = initial;

    public ScalpingState Current => _state;

    public Task<ScalpingState> GetAsync(CancellationToken cancellationToken) => Task.FromResult(_state);

    public Task<ScalpingState> UpdateAsync(Func<ScalpingState, ScalpingState> change, CancellationToken cancellationToken)
    {
        _state = change(_state);
        return Task.FromResult(_state);
    }
}
