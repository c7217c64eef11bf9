using Rebound.Cli.Service;
using Rebound.Configuration;
using Rebound.Decide;

namespace Rebound.Cli.Agent;

/// <summary>
/// What systemd hears from the agent: READY=1 once the watcher has its first answers, WATCHDOG=1 only while probe
/// rounds keep completing, RELOADING=1/READY=1 around SIGHUP, STOPPING=1. Nothing without NOTIFY_SOCKET.
/// </summary>
internal sealed class SystemdLink : IDisposable
{
    private readonly SystemdNotifier _notifier = SystemdNotifier.FromEnvironment(TimeProvider.System);
    private LivenessBeacon _beacon;
    private bool _watchdogStarted;

    public SystemdLink(ReboundConfig config) => _beacon = Beacon(config);

    /// <summary>A session of <paramref name="config"/> starts: its probe interval sets how long silence may last.</summary>
    public void Configure(ReboundConfig config) => Volatile.Write(ref _beacon, Beacon(config));

    /// <summary>A probe completed: the agent makes progress.</summary>
    public void Probed() => Volatile.Read(ref _beacon).Beat();

    /// <summary>The watcher has its first view (of each session): ready; the watchdog starts with the first.</summary>
    public void Started(WatcherStarted started)
    {
        _notifier.Ready($"watching {started.Servers.Count} STUN server(s); public IPv4 {started.Ipv4?.ToString() ?? "unknown"}");
        if (!_watchdogStarted)
        {
            _watchdogStarted = true;
            _notifier.StartWatchdog(() => Volatile.Read(ref _beacon).IsAlive());
        }
    }

    public void Reloading(string path) => _notifier.Reloading($"reloading {path}");

    /// <summary>The reloaded file was invalid: the running configuration stays in force.</summary>
    public void KeptRunning() => _notifier.Ready("configuration rejected; still running the previous one");

    public void Stopping() => _notifier.Stopping("stopping: letting actions in flight finish");

    public void Dispose() => _notifier.Dispose();

    /// <summary>How long without a completed probe before the watchdog stops vouching for us: three rounds and a timeout.</summary>
    private static LivenessBeacon Beacon(ReboundConfig config) =>
        new((3 * config.Watch.Interval) + config.Watch.ProbeTimeout, TimeProvider.System);
}
