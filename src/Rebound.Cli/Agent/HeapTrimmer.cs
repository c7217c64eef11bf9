namespace Rebound.Cli.Agent;

/// <summary>
/// Collects the young generations on a fixed cadence. The GC sizes its first-generation budget from the CPU's
/// L3 cache (about 25 MB on a 32 MB L3) and collects only when that much was allocated; an agent probing
/// once a second allocates ~10 KB/s, so without this its resident memory grows by the whole budget over the
/// first hour before the first collection. A gen0/gen1 collection of a heap this small takes well under a millisecond.
/// </summary>
internal sealed class HeapTrimmer : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);

    private readonly ITimer _timer;

    public HeapTrimmer(TimeProvider time, TimeSpan? interval = null, Action? collect = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var every = interval ?? DefaultInterval;
        collect ??= static () => GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: true);
        _timer = time.CreateTimer(_ => collect(), null, every, every);
    }

    public void Dispose() => _timer.Dispose();
}
