using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Rebound.Sense;
using Rebound.Sense.Netlink;
using Rebound.Sense.RouterHints;
using Rebound.Sense.Sources;
using Rebound.Sense.Stun;

namespace Rebound.Decide;

/// <summary>
/// Fuses fresh-socket STUN rounds, local network changes, router announcements and (optionally) an interface's own
/// IPv6 address into WAN events.
/// Probes every <see cref="WanWatcherOptions.Interval"/>; anything suspicious (a failed round, an
/// unconfirmed new address, a local change, a router hint) starts an immediate confirmation burst instead.
/// </summary>
public sealed class WanWatcher : IDisposable
{
    private readonly WanWatcherOptions _options;
    private readonly IStunProber _prober;
    private readonly TimeProvider _time;
    private readonly ILocalNetworkMonitor? _localNetwork;
    private readonly IRouterHintSource? _routerHints;
    private readonly InterfaceIpv6Source? _interfaceIpv6;
    private readonly Dictionary<IpFamily, WanFamilyTracker> _trackers = [];
    private readonly List<SourceSlot> _sources;
    private readonly Dictionary<IpFamily, int> _rotation = [];
    private readonly Dictionary<string, IPAddress?> _lastGatewayAnswer = new(StringComparer.Ordinal);
    private long _routineRounds;
    private readonly Channel<Wake> _wakes = Channel.CreateUnbounded<Wake>(new UnboundedChannelOptions { SingleReader = true });

    public WanWatcher(
        WanWatcherOptions options,
        IStunProber prober,
        TimeProvider time,
        ILocalNetworkMonitor? localNetwork = null,
        IRouterHintSource? routerHints = null,
        Func<StunTarget, CancellationToken, Task<(StunServer? Server, string? Error)>>? resolve = null,
        Func<AddressSourceSpec, IAddressSource>? createSource = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _prober = prober ?? throw new ArgumentNullException(nameof(prober));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _localNetwork = localNetwork;
        _routerHints = routerHints;
        _interfaceIpv6 = options.Ipv6Interface is { } name && localNetwork is not null ? new InterfaceIpv6Source(name) : null;
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        resolve ??= StunTargetResolver.ResolveAsync;
        createSource ??= spec => AddressSources.Create(spec, time, DefaultGateway);
        _sources = [.. options.Targets.Distinct().Select(spec =>
        {
            IAddressSource source = spec is StunTarget stun
                ? new StunAddressSource(stun, prober, time, resolve, options.ResolveTimeout, options.ResolveEvery)
                : createSource(spec);
            var ceiling = spec.Kind is AddressSourceKind.Http or AddressSourceKind.Upnp && options.ProbeTimeout < SlowCeiling ? SlowCeiling : options.ProbeTimeout;
            var floor = options.ProbeTimeoutFloor < ceiling ? options.ProbeTimeoutFloor : ceiling;
            return new SourceSlot(source, new AdaptiveTimeout(floor, ceiling));
        })];
    }

    /// <summary>
    /// Disposes the sources this watcher made (an HTTP or UPnP source holds an HttpClient): a configuration reload
    /// makes a new watcher, and must not leave the old one's clients behind.
    /// </summary>
    public void Dispose()
    {
        foreach (var slot in _sources)
        {
            (slot.Source as IDisposable)?.Dispose();
        }
    }

    /// <summary>An HTTP question is a TCP (and TLS) handshake and a request: several round trips.</summary>
    private static readonly TimeSpan SlowCeiling = TimeSpan.FromSeconds(3);

    /// <summary>The current IPv4 default gateway, for <c>natpmp</c> without an address.</summary>
    private IPAddress? DefaultGateway() =>
        _localNetwork?.Current.DefaultRoutes.FirstOrDefault(r => r.Gateway is { AddressFamily: AddressFamily.InterNetwork })?.Gateway;

    /// <summary>Questions asked and payload bytes sent so far (STUN retransmissions included).</summary>
    public long ProbesSent { get; private set; }

    public long ProbeBytesSent { get; private set; }

    public long ProbeBytesReceived { get; private set; }

    /// <summary>Test seam: called with the planned delay each time the loop goes idle, after that round's events.</summary>
    internal Action<TimeSpan>? BeforeWait { get; set; }

    /// <summary>Runs until cancelled. Events are passed to <paramref name="onEvent"/> one at a time, in order.</summary>
    public async Task RunAsync(Func<WanEvent, CancellationToken, ValueTask> onEvent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        using var pumpsStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pumps = new List<Task>();
        if (_localNetwork is not null)
        {
            pumps.Add(PumpAsync(_localNetwork.Changes, c => new Wake("local-network-changed", c, null), pumpsStop.Token));
        }

        if (_routerHints is not null)
        {
            pumps.Add(PumpAsync(_routerHints.Hints, h => new Wake("router-announcement", null, h), pumpsStop.Token));
        }

        try
        {
            await LoopAsync(onEvent, ct);
        }
        finally
        {
            await pumpsStop.CancelAsync();
            await Task.WhenAll(pumps);
        }
    }

    private async Task LoopAsync(Func<WanEvent, CancellationToken, ValueTask> onEvent, CancellationToken ct)
    {
        var started = false;
        var trigger = "startup";
        var burstRounds = 0;
        long lastWakeRound = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var roundStart = _time.GetTimestamp();
            var phases = await RoundAsync(full: !started || trigger != "interval", ct);
            var now = _time.GetUtcNow();
            var events = new List<WanEvent>();
            var round = new List<ProbeObservation>();
            foreach (var (family, observations, earlier) in phases)
            {
                events.AddRange(TrackerFor(family).Apply(observations, trigger, now, announce: started, earlier));
                round.AddRange(observations);
            }

            var needsConfirmation = _trackers.Values.Any(t => t.NeedsConfirmation);
            if (!started && (!needsConfirmation || burstRounds >= _options.MaxBurstRounds))
            {
                started = true;
                await onEvent(StartedEvent(now), ct);
                await InterfaceAddressAsync(onEvent, now, ct);
                foreach (var lost in _trackers.Values.Where(t => t.Status == WanStatus.Lost).OrderBy(t => t.Family))
                {
                    await onEvent(new UpstreamLost(now, lost.Family, null, new WanEvidence(trigger, _options.LossRounds, round.Where(o => o.Family == lost.Family).ToList())), ct);
                }
            }

            foreach (var e in events)
            {
                await onEvent(e, ct);
            }

            TimeSpan delay;
            if (needsConfirmation && burstRounds < _options.MaxBurstRounds)
            {
                burstRounds++;
                trigger = "confirmation";
                delay = _options.BurstSpacing;
            }
            else
            {
                burstRounds = 0;
                trigger = "interval";
                var elapsed = _time.GetElapsedTime(roundStart);
                delay = elapsed >= _options.Interval ? TimeSpan.Zero : _options.Interval - elapsed;
            }

            var waitStart = _time.GetTimestamp();
            var wakes = await WaitAsync(delay, ct);
            if (wakes.Count == 0)
            {
                continue;
            }

            // A flood of router announcements (a chatty or spoofing LAN host) must not turn into a flood of
            // probes, but never holds back a round that was due anyway. The kernel's own changes (an address,
            // a route) are news from this host and start a round at once.
            var spacingLeft = _options.MinWakeSpacing - _time.GetElapsedTime(lastWakeRound);
            var plannedLeft = delay - _time.GetElapsedTime(waitStart);
            var fromKernel = wakes.Any(w => w.LocalChange is not null);
            var hold = lastWakeRound == 0 || fromKernel ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(spacingLeft.Ticks, plannedLeft.Ticks));
            if (hold > TimeSpan.Zero)
            {
                var holding = Task.Delay(hold, _time, ct);
                BeforeWait?.Invoke(hold);
                await holding;
                wakes.AddRange(Drain());
            }

            // Before start-up is done the first view is still forming: a local change is part of it,
            // not news, and must not restart the start-up burst.
            if (started)
            {
                burstRounds = 0;
                foreach (var wake in wakes.Where(w => w.LocalChange is not null))
                {
                    var changedAt = _time.GetUtcNow();
                    await onEvent(new LocalNetworkChanged(changedAt, wake.LocalChange!.Differences), ct);
                    await InterfaceAddressAsync(onEvent, changedAt, ct);
                }
            }

            trigger = wakes.FirstOrDefault(w => w.Hint is not null)?.Hint is { } hint
                ? $"router-announcement: {hint}"
                : wakes[0].Trigger;
            if (wakes.Any(w => w.Hint is not null))
            {
                lastWakeRound = _time.GetTimestamp();
            }
        }
    }

    /// <summary>After the first view and each local change: the <see cref="WanWatcherOptions.Ipv6Interface"/> address, when it changed.</summary>
    private async ValueTask InterfaceAddressAsync(Func<WanEvent, CancellationToken, ValueTask> onEvent, DateTimeOffset now, CancellationToken ct)
    {
        if (_interfaceIpv6?.Update(_localNetwork!.Current, now) is { } changed)
        {
            await onEvent(changed, ct);
        }
    }

    private WatcherStarted StartedEvent(DateTimeOffset now)
    {
        IPAddress? AddressOf(IpFamily f) =>
            _trackers.TryGetValue(f, out var t) && t.Status == WanStatus.Up ? t.Current : null;
        return new WatcherStarted(now, AddressOf(IpFamily.Ipv4), AddressOf(IpFamily.Ipv6), _options.Targets.Select(t => t.Name).ToList());
    }

    private WanFamilyTracker TrackerFor(IpFamily family)
    {
        if (!_trackers.TryGetValue(family, out var tracker))
        {
            tracker = new WanFamilyTracker(family, _options);
            _trackers[family] = tracker;
        }

        return tracker;
    }

    /// <summary>Waits for the delay, or less if a wake-up arrives; returns the wake-ups drained.</summary>
    private async Task<List<Wake>> WaitAsync(TimeSpan delay, CancellationToken ct)
    {
        var drained = Drain();
        if (drained.Count > 0 || delay <= TimeSpan.Zero)
        {
            BeforeWait?.Invoke(TimeSpan.Zero);
            return drained;
        }

        using var waitCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var timer = Task.Delay(delay, _time, waitCts.Token);
        BeforeWait?.Invoke(delay); // after the timer exists, so fake time advanced from here reaches it
        var wake = _wakes.Reader.WaitToReadAsync(waitCts.Token).AsTask();
        await Task.WhenAny(timer, wake);
        await waitCts.CancelAsync();
        ct.ThrowIfCancellationRequested();
        return Drain();
    }

    private List<Wake> Drain()
    {
        var list = new List<Wake>();
        while (_wakes.Reader.TryRead(out var w))
        {
            list.Add(w);
        }

        return list;
    }

    private async Task PumpAsync<T>(ChannelReader<T> source, Func<T, Wake> toWake, CancellationToken ct)
    {
        try
        {
            await foreach (var item in source.ReadAllAsync(ct))
            {
                _wakes.Writer.TryWrite(toWake(item));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// One round: every source (start-up, confirmation, wake-up) or, routinely, one STUN source per family in
    /// turn (plus a due HTTP/DNS source and the gateway hints). A routine answer that is not the expected one is
    /// cross-checked at once with the family's other sources, as a second round of evidence.
    /// </summary>
    private async Task<List<(IpFamily Family, List<ProbeObservation> Observations, List<ProbeObservation>? Earlier)>> RoundAsync(bool full, CancellationToken ct)
    {
        var first = full ? [.. _sources] : PlanRoutine();
        var observations = await AskAsync(first, ct);
        var phases = new List<(IpFamily Family, List<ProbeObservation> Observations, List<ProbeObservation>? Earlier)>();
        foreach (var group in observations.GroupBy(o => o.Family).OrderBy(g => g.Key))
        {
            phases.Add((group.Key, group.ToList(), null));
        }

        if (full)
        {
            return phases;
        }

        var unsteady = phases.Where(p => !IsSteady(p.Family, p.Observations)).Select(p => p.Family).ToHashSet();
        var cross = _sources.Where(s => unsteady.Contains(FamilyOf(s)) && !s.Kind.IsGatewayHint() && !first.Contains(s)).ToList();
        if (cross.Count > 0)
        {
            foreach (var group in (await AskAsync(cross, ct)).GroupBy(o => o.Family).OrderBy(g => g.Key))
            {
                phases.Add((group.Key, group.ToList(), phases.FirstOrDefault(p => p.Family == group.Key).Observations));
            }
        }

        return phases;
    }

    private bool IsSteady(IpFamily family, List<ProbeObservation> observations)
    {
        if (!_trackers.TryGetValue(family, out var tracker))
        {
            return false;
        }

        foreach (var o in observations)
        {
            if (o.Kind.IsGatewayHint())
            {
                // A hint is news when the gateway's own answer changed, whatever it is compared with the public one.
                if (_lastGatewayAnswer.TryGetValue(o.Server, out var before) && !Equals(before, o.Address))
                {
                    return false;
                }
            }
            else if (o.Address is null || !tracker.IsSteady(o.Address))
            {
                return false;
            }
        }

        return true;
    }

    private List<SourceSlot> PlanRoutine()
    {
        _routineRounds++;
        var plan = new List<SourceSlot>();
        foreach (var family in _sources.Select(FamilyOf).Distinct())
        {
            var decisive = _sources.Where(s => FamilyOf(s) == family && !s.Kind.IsGatewayHint()).ToList();
            var tracker = _trackers.GetValueOrDefault(family);
            bool Works(SourceSlot s) => tracker is null || !tracker.IsFailing(s.Kind);
            var stun = decisive.Where(s => s.Kind == AddressSourceKind.Stun && Works(s)).ToList();
            var slow = decisive.Where(s => s.Kind != AddressSourceKind.Stun && Works(s)).ToList();
            var turn = _rotation.GetValueOrDefault(family);
            _rotation[family] = turn + 1;
            var primary = stun.Count > 0 ? stun[turn % stun.Count] : slow.Count > 0 ? slow[turn % slow.Count] : decisive[turn % decisive.Count];
            plan.Add(primary);
            if (stun.Count > 0 && slow.Count > 0)
            {
                var due = slow.OrderBy(s => s.LastAsked).First();
                if (due.LastAsked == 0 || _time.GetElapsedTime(due.LastAsked) >= _options.SlowSourceInterval)
                {
                    plan.Add(due);
                }
            }

            if (_routineRounds % _options.RetryFailingEvery == 0)
            {
                foreach (var kind in decisive.Where(s => !Works(s)).Select(s => s.Kind).Distinct())
                {
                    var ofKind = decisive.Where(s => s.Kind == kind).ToList();
                    plan.Add(ofKind[(int)((_routineRounds / _options.RetryFailingEvery) % ofKind.Count)]);
                }
            }

            plan.AddRange(_sources.Where(s => FamilyOf(s) == family && s.Kind.IsGatewayHint()));
        }

        return [.. plan.Distinct()];
    }

    private static IpFamily FamilyOf(SourceSlot slot) => slot.Source.Family == AddressFamily.InterNetworkV6 ? IpFamily.Ipv6 : IpFamily.Ipv4;

    private async Task<List<ProbeObservation>> AskAsync(List<SourceSlot> slots, CancellationToken ct)
    {
        var results = await Task.WhenAll(slots.Select(s => AskOneAsync(s, ct)));
        foreach (var o in results.Where(o => o.Kind.IsGatewayHint()))
        {
            _lastGatewayAnswer[o.Server] = o.Address;
        }

        return [.. results];
    }

    private async Task<ProbeObservation> AskOneAsync(SourceSlot slot, CancellationToken ct)
    {
        var source = slot.Source;
        AddressAnswer answer;
        TimeSpan timeout;
        lock (slot)
        {
            timeout = slot.Timeout.Current;
            slot.LastAsked = _time.GetTimestamp();
        }

        try
        {
            answer = await source.AskAsync(timeout, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A source must not throw; if one does anyway, it is that source's error for the round.
            answer = AddressAnswer.Failed($"{ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
        }

        lock (slot)
        {
            if (answer.Address is not null)
            {
                slot.Timeout.OnAnswer(answer.Rtt);
            }
            else if (answer.TimedOut)
            {
                slot.Timeout.OnTimeout();
            }
        }

        if (answer.TimedOut)
        {
            // A slower path (a failover onto a 300 ms backup link) is likelier than one dead server: the family's other
            // sources, the cross-check among them, wait longer too, so that two quick timeouts are not an outage.
            foreach (var other in _sources.Where(s => s != slot && FamilyOf(s) == FamilyOf(slot)))
            {
                lock (other)
                {
                    other.Timeout.OnTimeout();
                }
            }
        }

        lock (_trackers)
        {
            ProbesSent++;
            ProbeBytesSent += answer.BytesSent;
            ProbeBytesReceived += answer.BytesReceived;
        }

        var address = answer.Address;
        var error = answer.Error;
        if (AddressRanges.Implausible(answer, source.Kind) is { } implausible)
        {
            // A broken or lying echo: that source's error for the round, nothing more.
            error = implausible;
            address = null;
        }

        var family = address is not null ? IpFamilyNames.Of(address) : FamilyOf(slot);
        return new ProbeObservation(source.Name, family, address, answer.Rtt, address is null ? error ?? "no address" : null)
        {
            Kind = source.Kind,
            Port = address is null ? null : answer.Port,
            LocalFailure = address is null && answer.LocalFailure,
        };
    }

    /// <summary>A source with its adaptive timeout and when it was last asked.</summary>
    private sealed class SourceSlot(IAddressSource source, AdaptiveTimeout timeout)
    {
        public IAddressSource Source { get; } = source;

        public AddressSourceKind Kind => Source.Kind;

        public AdaptiveTimeout Timeout { get; } = timeout;

        public long LastAsked { get; set; }
    }

    private sealed record Wake(string Trigger, LocalNetworkChange? LocalChange, RouterHint? Hint);
}
