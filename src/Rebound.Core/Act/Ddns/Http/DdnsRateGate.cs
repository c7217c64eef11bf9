namespace Rebound.Act.Ddns.Http;

/// <summary>
/// At most one request per key per interval, on the injected clock. A request that was sent counts even if
/// its answer was lost: the provider may well have counted it.
/// </summary>
internal sealed class DdnsRateGate(TimeSpan interval, TimeProvider timeProvider)
{
    private readonly Dictionary<string, long> _nextAllowed = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();

    /// <summary>Claims the slot for <paramref name="key"/>, or says how long until it is free.</summary>
    public bool TryEnter(string key, out TimeSpan remaining)
    {
        long now = timeProvider.GetTimestamp();
        lock (_lock)
        {
            if (_nextAllowed.TryGetValue(key, out long next) && next > now)
            {
                remaining = Span(next - now);
                return false;
            }
            _nextAllowed[key] = now + Ticks(interval);
            remaining = TimeSpan.Zero;
            return true;
        }
    }

    /// <summary>Keeps the gate shut for at least <paramref name="wait"/> from now (a server said so).</summary>
    public void HoldFor(string key, TimeSpan wait)
    {
        long until = timeProvider.GetTimestamp() + Ticks(wait);
        lock (_lock)
        {
            if (!_nextAllowed.TryGetValue(key, out long next) || next < until)
                _nextAllowed[key] = until;
        }
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * timeProvider.TimestampFrequency);

    private TimeSpan Span(long ticks) => TimeSpan.FromSeconds(ticks / (double)timeProvider.TimestampFrequency);
}
