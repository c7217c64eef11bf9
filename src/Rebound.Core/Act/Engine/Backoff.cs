namespace Rebound.Act.Engine;

/// <summary>
/// A retry delay that doubles after each failure up to a cap and starts again from the minimum after a success.
/// Not thread-safe: the owner keeps it under its own lock.
/// </summary>
public sealed class Backoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;

    public Backoff(TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(min, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        _min = min;
        _max = max;
        Current = min;
    }

    /// <summary>The delay the next failure waits.</summary>
    public TimeSpan Current { get; private set; }

    /// <summary>The delay to wait after this failure; the one after the next failure is twice as long (capped).</summary>
    public TimeSpan Next()
    {
        var delay = Current;
        Current = Current.Ticks > _max.Ticks / 2 ? _max : TimeSpan.FromTicks(Current.Ticks * 2);
        return delay;
    }

    public void Reset() => Current = _min;
}
