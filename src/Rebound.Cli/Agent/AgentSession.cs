using Rebound.Act.Ddns;
using Rebound.Act.Ddns.Engine;
using Rebound.Act.Heal;
using Rebound.Act.Hooks;
using Rebound.Cli.Commands;
using Rebound.Configuration;
using Rebound.Decide;
using Rebound.Record;
using System.Threading.Channels;

namespace Rebound.Cli.Agent;

/// <summary>
/// Everything one configuration runs: the watcher (sense, decide) and the engines that act on its
/// events. A reload (SIGHUP) stops this session cleanly and starts a new one; what outlives sessions
/// (the journal, metrics, the HTTP surface) belongs to <see cref="RunCommand"/>.
/// </summary>
internal sealed class AgentSession : IAsyncDisposable
{
    public const string CacheFileName = "ddns-cache.json";

    /// <summary>How long a stopping session lets in-flight DNS updates finish (a provider's own timeout is 10 s).</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(12);

    private readonly WanWatcherRuntime _runtime;
    private readonly DdnsEngine _ddns;
    private readonly HealEngine _heal;
    private readonly HealTriggerSource _triggers;
    private readonly IReadOnlyList<IHealTarget> _healTargets;
    private readonly HookRunner _hooks;
    private readonly EventHub _hub;
    private readonly IReadOnlyList<IDisposable> _owned;
    private readonly InterfaceIpv6Source? _ipv6;
    private readonly Action<RecordedEvent> _emit;
    private readonly AgentObservers _observers;

    private AgentSession(
        WanWatcherRuntime runtime,
        DdnsEngine ddns,
        (HealEngine Engine, HealTriggerSource Triggers, IReadOnlyList<IHealTarget> Targets) heal,
        HookRunner hooks,
        EventHub hub,
        IReadOnlyList<IDisposable> owned,
        InterfaceIpv6Source? ipv6,
        AgentObservers observers,
        Action<RecordedEvent> emit)
    {
        _runtime = runtime;
        _ddns = ddns;
        (_heal, _triggers, _healTargets) = heal;
        _hooks = hooks;
        _hub = hub;
        _owned = owned;
        _ipv6 = ipv6;
        _observers = observers;
        _emit = emit;
    }

    /// <summary>
    /// Builds and starts the sensors. Problems with the configuration that only show now (a DNS
    /// server name that does not resolve) are an <see cref="InvalidOperationException"/> (exit 1: systemd restarts the agent until the name resolves); warnings go to <paramref name="warn"/>.
    /// </summary>
    public static async Task<AgentSession> StartAsync(
        ReboundConfig config, CliServices services, EventHub hub, AgentObservers observers, Action<RecordedEvent> emit, Action<string> warn, CancellationToken ct)
    {
        var stateDirectory = config.State.Directory;
        try
        {
            Directory.CreateDirectory(stateDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"state directory {stateDirectory}: {ex.Message}", ex);
        }

        var (targets, owned, problem) = await DdnsTargets.CreateAsync(config, TimeProvider.System, ct);
        try
        {
            if (problem is not null)
            {
                // A runtime failure (exit 1), not a configuration error (exit 2): at boot with the upstream
                // down a server name may not resolve yet, and systemd must restart the agent until it does.
                throw new InvalidOperationException(problem);
            }

            var ddns = new DdnsEngine(targets, new DdnsEngineOptions { CachePath = Path.Combine(stateDirectory, CacheFileName) }, TimeProvider.System);
            var settings = new WatchSettings(config.Watch.ToWatcherOptions(), config.Watch.ProbeTimeout) { OnProbe = observers.Probe };
            var runtime = await services.CreateWatcher(settings, ct);
            foreach (var warning in runtime.Warnings)
            {
                warn(warning);
            }

            var ipv6 = config.Watch.Ipv6Interface is { } iface ? new InterfaceIpv6Source(iface) : null;
            if (ipv6 is not null && runtime.LocalNetwork is null)
            {
                warn($"ipv6_interface {ipv6.InterfaceName} needs the local network monitor, which is unavailable; no IPv6 address will be published");
            }

            var triggers = new HealTriggerSource();
            var healTargets = HealTargets.Create(config, TimeProvider.System);
            var heal = new HealEngine(healTargets, config.Heal.ToEngineOptions(stateDirectory, triggers.Periodic), TimeProvider.System);
            var hooks = new HookRunner(config.Hooks);
            return new AgentSession(runtime, ddns, (heal, triggers, healTargets), hooks, hub, owned, ipv6, observers, emit);
        }
        catch
        {
            foreach (var d in owned)
            {
                d.Dispose();
            }

            throw;
        }
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled; then lets in-flight actions finish and reports them.</summary>
    public async Task RunAsync(CancellationTokenSource stop)
    {
        // The engines stop after the watcher, once nothing is in flight: an update the provider is
        // applying right now must be recorded, or the next start resends it.
        using var engineStop = new CancellationTokenSource();
        using var healStop = new CancellationTokenSource();
        var ddnsRun = _ddns.RunAsync(engineStop.Token);
        var ddnsEvents = ForwardAsync(_ddns.Events, EventHub.Record, stop);
        var healRun = _heal.RunAsync(healStop.Token);
        var healEvents = ForwardAsync(_heal.Events, e => [HealEventJson.ToRecorded(e)], stop);
        _hub.Add(_hooks);
        var hooksRun = _hooks.RunAsync(engineStop.Token);
        var hookEvents = ForwardAsync(_hooks.Events, e => [HookEventJson.ToRecorded(e)], stop);
        try
        {
            await _runtime.Watcher.RunAsync(
                (e, _) =>
                {
                    OnWanEvent(e);
                    if (_ipv6 is not null && _runtime.LocalNetwork is { } local && e is WatcherStarted or LocalNetworkChanged
                        && _ipv6.Update(local.Current, e.Time) is { } changed)
                    {
                        OnWanEvent(changed);
                    }

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

            // No new heal may start once stopping; the one in flight gets the engine's own grace, in
            // parallel with the DNS updates finishing.
            await healStop.CancelAsync();
            await WhenIdleAsync(ShutdownGrace);
            await engineStop.CancelAsync();
            await Task.WhenAll(ddnsRun, healRun, hooksRun);
            _hub.Remove(_hooks);
            await Task.WhenAll(ddnsEvents, healEvents, hookEvents);
        }
    }

    private void OnWanEvent(WanEvent e)
    {
        // The detection latency is known only here; it must reach the status and metrics before the event does.
        if (e is PublicAddressChanged { Evidence.LastSteady: { } changedSteady })
        {
            _observers.Detection(e.Time - changedSteady);
        }
        else if (e is UpstreamLost { Evidence.LastSteady: { } lostSteady })
        {
            _observers.Detection(e.Time - lostSteady);
        }

        _emit(EventHub.Record(e));
        _ddns.OnWanEvent(e);
        if (_triggers.OnWanEvent(e, _runtime.LocalNetwork?.Current) is { } trigger)
        {
            _heal.OnTrigger(trigger);
        }
    }

    /// <summary>
    /// Waits (bounded) for DNS updates in flight to be recorded. The heal engine bounds its own
    /// running action by its shutdown grace and journals the heal as interrupted.
    /// </summary>
    private async Task WhenIdleAsync(TimeSpan grace)
    {
        var since = TimeProvider.System.GetTimestamp();
        while (!(_ddns.IsIdle && _hooks.IsIdle) && TimeProvider.System.GetElapsedTime(since) < grace)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), TimeProvider.System);
        }
    }

    private async Task ForwardAsync<T>(ChannelReader<T> events, Func<T, IReadOnlyList<RecordedEvent>> record, CancellationTokenSource stop)
    {
        try
        {
            // Completes when the engine stops; every event it produced is forwarded first.
            await foreach (var e in events.ReadAllAsync(CancellationToken.None))
            {
                foreach (var recorded in record(e))
                {
                    _emit(recorded);
                }
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
