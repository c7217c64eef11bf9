using System.Threading.Channels;
using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Act.Hooks;
using Rebound.Act.Notify;
using Rebound.Act.Notify.Healthcheck;
using Rebound.Cli.Commands;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Record;
using Rebound.Act.Router;
using Rebound.Sense;
using Rebound.Sense.Stun;
using Rebound.Sense.Uplinks;

namespace Rebound.Cli.Agent;

/// <summary>
/// Everything one configuration runs: the watcher (sense, decide) and the engines that act on its
/// events. A reload (SIGHUP) stops this session cleanly and starts a new one; what outlives sessions
/// (the journal, metrics, the HTTP surface) belongs to <see cref="AgentHost"/>.
/// </summary>
internal sealed class AgentSession : IAsyncDisposable
{
    public const string CacheFileName = "ddns-cache.json";

    /// <summary>How long a stopping session lets in-flight DNS updates and hooks finish (a provider's own timeout is 10 s).</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(12);

    private readonly WanWatcherRuntime _runtime;
    private readonly DdnsEngine _ddns;
    private readonly HealEngine _heal;
    private readonly HealTriggerSource _triggers;
    private readonly IReadOnlyList<IHealTarget> _healTargets;
    private readonly HookRunner _hooks;
    private readonly NotifyRunner _notify;
    private readonly HealthcheckPinger? _healthcheck;
    private readonly EventHub _hub;
    private readonly IReadOnlyList<IDisposable> _owned;
    private readonly Action<ReboundEvent> _emit;
    private UplinkMonitor? _uplinks;

    private AgentSession(
        WanWatcherRuntime runtime,
        DdnsEngine ddns,
        (HealEngine Engine, HealTriggerSource Triggers, IReadOnlyList<IHealTarget> Targets) heal,
        HookRunner hooks,
        (NotifyRunner Runner, HealthcheckPinger? Healthcheck) notify,
        EventHub hub,
        IReadOnlyList<IDisposable> owned,
        Action<ReboundEvent> emit)
    {
        _runtime = runtime;
        _ddns = ddns;
        (_heal, _triggers, _healTargets) = heal;
        _hooks = hooks;
        (_notify, _healthcheck) = notify;
        _hub = hub;
        _owned = owned;
        _emit = emit;
    }

    /// <summary>
    /// Builds and starts the sensors. Problems with the configuration that only show now (a DNS
    /// server name that does not resolve) are an <see cref="InvalidOperationException"/> (exit 1: systemd restarts the agent until the name resolves); warnings go to <paramref name="warn"/>.
    /// </summary>
    /// <param name="onProbe">Told about every STUN probe (metrics, the watchdog's liveness).</param>
    /// <param name="emit">Prints and publishes an event (every copy of it).</param>
    public static async Task<AgentSession> StartAsync(
        ReboundConfig config, CliServices services, EventHub hub, Action<StunProbeResult> onProbe, Action<ReboundEvent> emit, Action<string> warn, CancellationToken ct)
    {
        var stateDirectory = config.State.Directory;
        TargetIdKey key;
        try
        {
            Directory.CreateDirectory(stateDirectory);
            key = config.Ddns.Count == 0 ? TargetIdKey.Ephemeral() : TargetIdKey.Load(stateDirectory, create: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"state directory {stateDirectory}: {ex.Message}", ex);
        }

        var (targets, owned, problem) = await DdnsTargets.CreateAsync(config, key, TimeProvider.System, ct);
        var healthcheck = config.Healthcheck is { } check ? new HealthcheckPinger(check) : null;
        try
        {
            if (problem is not null)
            {
                // A runtime failure (exit 1), not a configuration error (exit 2): at boot with the upstream
                // down a server name may not resolve yet, and systemd must restart the agent until it does.
                throw new InvalidOperationException(problem);
            }

            var ddns = new DdnsEngine(targets, new DdnsEngineOptions { CachePath = Path.Combine(stateDirectory, CacheFileName) }, TimeProvider.System);
            var options = config.Watch.ToWatcherOptions() with { Ipv6Interface = config.Watch.Ipv6Interface };
            var runtime = await services.CreateWatcher(new WatchSettings(options, config.Watch.ProbeTimeout)
            {
                // A finished probe round is the watcher's progress: what the healthcheck's pings stand for.
                OnProbe = healthcheck is null ? onProbe : r =>
                {
                    onProbe(r);
                    healthcheck.OnProgress();
                },
            }, ct);
            foreach (var warning in runtime.Warnings)
            {
                warn(warning);
            }

            if (options.Ipv6Interface is { } iface && runtime.LocalNetwork is null)
            {
                warn($"ipv6_interface {iface} needs the local network monitor, which is unavailable; no IPv6 address will be published");
            }

            var triggers = new HealTriggerSource();
            var healTargets = HealTargets.Create(config, TimeProvider.System);
            var heal = new HealEngine(healTargets, config.Heal.ToEngineOptions(stateDirectory, triggers.Periodic), TimeProvider.System);
            var hooks = new HookRunner(config.Hooks);
            var uplinks = await CreateUplinksAsync(config, runtime, warn, ct);
            var notify = new NotifyRunner(config.Notify);
            return new AgentSession(runtime, ddns, (heal, triggers, healTargets), hooks, (notify, healthcheck), hub, owned, emit) { _uplinks = uplinks };
        }
        catch
        {
            healthcheck?.Dispose();
            foreach (var d in owned)
            {
                d.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Router mode: one monitor probing each WAN on its own (the configured <c>wan_interfaces</c>, else the interfaces
    /// with a default route now). A configured WAN that does not exist yet is a warning; it is looked for every round.
    /// </summary>
    private static async Task<UplinkMonitor?> CreateUplinksAsync(ReboundConfig config, WanWatcherRuntime runtime, Action<string> warn, CancellationToken ct)
    {
        if (config.HealTargetsOf<RouterConntrackOptions>() is not [var router, ..])
        {
            return null;
        }

        var interfaces = router.WanInterfaces.Count > 0
            ? router.WanInterfaces
            : [.. (runtime.LocalNetwork?.Current?.DefaultRoutes ?? []).Select(r => r.InterfaceName).OfType<string>().Distinct(StringComparer.Ordinal)];
        var servers = new List<StunServer>();
        // Uplink probes are STUN only: they go out of one interface with its source address and mark.
        foreach (var target in config.Watch.Servers.OfType<StunTarget>())
        {
            var (server, error) = await StunTargetResolver.ResolveAsync(target, ct);
            if (server is not null)
                servers.Add(server);
            else
                warn($"router: uplink probes skip {target}: {error}");
        }

        // mwan3-style marks from the ip rules, so a probe takes its WAN's table; a configured mark wins.
        var marks = new Dictionary<string, uint>(router.Uplinks.Marks, StringComparer.Ordinal);
        foreach (var (name, mark) in (await RouterDefinition.ReadPolicyAsync(TimeProvider.System, ct))?.Marks ?? PolicyMarks.None.Marks)
            marks.TryAdd(name, mark.Value);
        var options = new UplinkMonitorOptions { Interval = router.Uplinks.Interval, ProbeTimeout = router.Uplinks.ProbeTimeout, DownAfter = router.Uplinks.DownAfter, Marks = marks };
        var monitor = new UplinkMonitor(interfaces, servers, options, TimeProvider.System);
        foreach (var missing in monitor.Missing())
        {
            warn($"router: WAN interface {missing} does not exist or has no IPv4 address; watching for it");
        }

        if (interfaces.Count == 0)
        {
            warn("router: no WAN interface to probe (set [router] wan_interfaces)");
        }

        return monitor;
    }

    /// <summary>The WANs router mode probes (none outside router mode): status shows each from the start.</summary>
    public IReadOnlyList<string> UplinkInterfaces => _uplinks?.Interfaces ?? [];

    /// <summary>Runs until <paramref name="stop"/> is cancelled; then lets in-flight actions finish and reports them.</summary>
    public async Task RunAsync(CancellationTokenSource stop)
    {
        using var ddnsStop = new CancellationTokenSource();
        using var healStop = new CancellationTokenSource();
        using var hooksStop = new CancellationTokenSource();
        using var notifyStop = new CancellationTokenSource();
        var ddnsRun = _ddns.RunAsync(ddnsStop.Token);
        var ddnsEvents = ForwardAsync(_ddns.Events, stop);
        var healRun = _heal.RunAsync(healStop.Token);
        var healEvents = ForwardAsync(_heal.Events, stop);
        _hub.Add(_hooks);
        var hooksRun = _hooks.RunAsync(hooksStop.Token);
        var hookEvents = ForwardAsync(_hooks.Events, stop);
        using var uplinksStop = new CancellationTokenSource();
        var uplinksRun = _uplinks?.RunAsync(OnUplinkEvent, uplinksStop.Token) ?? Task.CompletedTask;
        _hub.Add(_notify);
        var notifyRun = _notify.RunAsync(notifyStop.Token);
        var notifyEvents = ForwardAsync(_notify.Events, stop);
        if (_healthcheck is not null)
            _hub.Add(_healthcheck);
        var healthcheckRun = _healthcheck?.RunAsync(notifyStop.Token) ?? Task.CompletedTask;
        var healthcheckEvents = _healthcheck is null ? Task.CompletedTask : ForwardAsync(_healthcheck.Events, stop);
        try
        {
            await _runtime.Watcher.RunAsync(
                (e, _) =>
                {
                    OnWanEvent(e);
                    return ValueTask.CompletedTask;
                },
                stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A normal end: stop or reload.
        }
        finally
        {
            await stop.CancelAsync();
            await uplinksStop.CancelAsync();
            await uplinksRun;
            await StopEnginesAsync();
        }

        // Drain, then stop: an update the provider is applying right now must be recorded (or the next start resends
        // it), and the hooks get the events the engines said last. No new heal starts; the one in flight gets the
        // heal engine's own grace, in parallel. All bounded by one grace.
        async Task StopEnginesAsync()
        {
            using var grace = new CancellationTokenSource(ShutdownGrace, TimeProvider.System);
            await healStop.CancelAsync();
            await Settle(_ddns.DrainAsync(grace.Token));
            await ddnsStop.CancelAsync();
            await Task.WhenAll(ddnsRun, healRun, ddnsEvents, healEvents);
            await Settle(_hooks.DrainAsync(grace.Token));
            await hooksStop.CancelAsync();
            await hooksRun;
            _hub.Remove(_hooks);
            await hookEvents;

            // Last: they carry what everything above said while stopping (the runner sends what waits, once).
            await notifyStop.CancelAsync();
            await Task.WhenAll(notifyRun, healthcheckRun);
            _hub.Remove(_notify);
            if (_healthcheck is not null)
                _hub.Remove(_healthcheck);
            await Task.WhenAll(notifyEvents, healthcheckEvents);
        }
    }

    /// <summary>Waits for a drain; running out of grace is the end of the wait, not an error.</summary>
    private static Task Settle(Task drain) => drain.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    private void OnWanEvent(WanEvent e)
    {
        _emit(e);
        _ddns.OnWanEvent(e);
        if (_triggers.OnWanEvent(e, _runtime.LocalNetwork?.Current) is { } trigger)
        {
            _heal.OnTrigger(trigger);
        }
    }

    private void OnUplinkEvent(UplinkEvent e)
    {
        _emit(e);
        if (_uplinks is not null)
        {
            _heal.OnTrigger(_triggers.OnUplinkEvent(e, _uplinks.Current));
        }
    }

    /// <summary>Completes when the engine stops; every event it produced is forwarded first.</summary>
    private async Task ForwardAsync<T>(ChannelReader<T> events, CancellationTokenSource stop)
        where T : ReboundEvent
    {
        try
        {
            await foreach (var e in events.ReadAllAsync(CancellationToken.None))
            {
                _emit(e);
            }
        }
        catch (StdoutClosedException)
        {
            await stop.CancelAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _runtime.DisposeAsync();
        _hooks.Dispose();
        _notify.Dispose();
        _healthcheck?.Dispose();
        foreach (var target in _healTargets.OfType<IAsyncDisposable>())
        {
            await target.DisposeAsync();
        }

        foreach (var d in _owned)
        {
            d.Dispose();
        }
    }
}
