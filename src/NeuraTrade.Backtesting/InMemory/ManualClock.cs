namespace NeuraTrade.Backtesting;

/// <summary>
/// The backtest's clock: time stands still until the driver moves it, so every component that asks a
/// <see cref="TimeProvider"/> (engine, exits, paper exchange, replay) sees the same simulated instant.
/// </summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock; it never goes back, so journaled times stay ordered.</summary>
    public void Set(DateTimeOffset now)
    {
        if (now < _now)
        {
            throw new InvalidOperationException($"The backtest clock cannot go back from {_now:O} to {now:O}.");
        }

        _now = now;
    }
}
