namespace Rebound.Cli.Service;

/// <summary>
/// The watchdog's view of "the agent is making progress": the watcher loop calls <see cref="Beat"/>
/// every round; <see cref="IsAlive"/> (what <see cref="SystemdNotifier.StartWatchdog"/> asks) is true
/// while the last beat is younger than <c>maxSilence</c>. A loop stuck in a deadlock or a blocked
/// call stops beating, the pings stop, and systemd restarts the service.
/// </summary>
internal sealed class LivenessBeacon
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxSilence;
    private long _lastBeat;

    /// <param name="maxSilence">Longest normal gap between beats, e.g. 3 × the probe interval + the probe timeout.</param>
    public LivenessBeacon(TimeSpan maxSilence, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxSilence, TimeSpan.Zero);
        _time = time;
        _maxSilence = maxSilence;
        _lastBeat = time.GetTimestamp(); // starting counts as a beat: the first round is under way
    }

    public void Beat() => Interlocked.Exchange(ref _lastBeat, _time.GetTimestamp());

    public bool IsAlive() => _time.GetElapsedTime(Interlocked.Read(ref _lastBeat)) <= _maxSilence;
}
