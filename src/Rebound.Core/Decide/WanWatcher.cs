using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Rebound.Sense;
using Rebound.Sense.Netlink;
using Rebound.Sense.RouterHints;
using Rebound.Sense.Stun;

namespace Rebound.Decide;

/// <summary>
/// Fuses fresh-socket STUN rounds, local network changes, router announcements and (optionally) an interface's own
/// IPv6 address into WAN events.
/// Probes every <see cref="WanWatcherOptions.Interval"/>; anything suspicious (a failed round, an
/// unconfirmed new address, a local change, a router hint) starts an immediate confirmation burst instead.
/// </summary>
public sealed class WanWatcher
{
    private readonly WanWatcherOptions _options;
    private readonly IStunProber _prober;
    private readonly TimeProvider _time;
    private readonly ILocalNetworkMonitor? _localNetwork;
    private readonly IRouterHintSource? _routerHints;
    private readonly Func<StunTarget, CancellationToken, Task<(StunServer? Server, string? Error)>> _resolve;
    private readonly InterfaceIpv6Source? _interfaceIpv6;
    private readonly Dictionary<IpFamily, WanFamilyTracker> _trackers = [];
    private readonly Dictionary<StunTarget, (StunServer Server, long ResolvedAt)> _resolved = [];
    private readonly Channel<Wake> _wakes = Channel.CreateUnbounded<Wake>(new UnboundedChannelOptions { SingleReader = true });

    public WanWatcher(
        WanWatcherOptions options,
        IStunProber prober,
        TimeProvider time,
        ILocalNetworkMonitor? localNetwork = null,
        IRouterHintSource? routerHints = null,
        Func<StunTarget, CancellationToken, Task<(StunServer? Server, string? Error)>>? resolve = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _prober = prober ?? throw new ArgumentNullException(nameof(prober));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _localNetwork = localNetwork;
        _routerHints = routerHints;
        _resolve = resolve ?? StunTargetResolver.ResolveAsync;
        _interfaceIpv6 = options.Ipv6Interface is { } name && localNetwork is not null ? new InterfaceIpv6Source(name) : null;
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }
    }

    /// <summary>Probe datagrams and UDP payload bytes sent so far, retransmissions included.</summary>
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
            var round = await ProbeRoundAsync(ct);
            var now = _time.GetUtcNow();
            var events = new List<WanEvent>();
            foreach (var family in round.Select(o => o.Family).Distinct().Order())
            {
                var tracker = TrackerFor(family);
                var observations = round.Where(o => o.Family == family).ToList();
                events.AddRange(tracker.Apply(observations, trigger, now, announce: started));
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

            // A flood of wake-ups (a chatty or spoofing LAN host) must not turn into a flood of probes,
            // but never holds back a round that was due anyway.
            var spacingLeft = _options.MinWakeSpacing - _time.GetElapsedTime(lastWakeRound);
            var plannedLeft = delay - _time.GetElapsedTime(waitStart);
            var hold = lastWakeRound == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(spacingLeft.Ticks, plannedLeft.Ticks));
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
            lastWakeRound = _time.GetTimestamp();
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

    private async Task<List<ProbeObservation>> ProbeRoundAsync(CancellationToken ct)
    {
        var probes = _options.Targets.Distinct().Select(t => ProbeTargetAsync(t, ct)).ToArray();
        var results = await Task.WhenAll(probes);
        return [.. results];
    }

    private async Task<ProbeObservation> ProbeTargetAsync(StunTarget target, CancellationToken ct)
    {
        var (server, error) = await ResolveAsync(target, ct);
        if (server is null)
        {
            var family = target.Literal is { } literal ? IpFamilyNames.Of(literal) : IpFamily.Ipv4;
            return new ProbeObservation(target.Name, family, null, TimeSpan.Zero, error);
        }

        var result = await _prober.ProbeAsync(server, ct);
        lock (_trackers)
        {
            ProbesSent++;
            ProbeBytesSent += result.BytesSent;
            ProbeBytesReceived += result.BytesReceived;
        }

        var serverFamily = server.EndPoint.AddressFamily == AddressFamily.InterNetworkV6 && !server.EndPoint.Address.IsIPv4MappedToIPv6
            ? IpFamily.Ipv6
            : IpFamily.Ipv4;
        return new ProbeObservation(server.Name, serverFamily, result.Mapped?.Address, result.Rtt, result.Error);
    }

    private async Task<(StunServer? Server, string? Error)> ResolveAsync(StunTarget target, CancellationToken ct)
    {
        lock (_resolved)
        {
            if (_resolved.TryGetValue(target, out var cached) && _time.GetElapsedTime(cached.ResolvedAt) < _options.ResolveEvery)
            {
                return (cached.Server, null);
            }
        }

        StunServer? server;
        string? error;
        try
        {
            (server, error) = await _resolve(target, ct).WaitAsync(_options.ResolveTimeout, _time, ct);
        }
        catch (TimeoutException)
        {
            (server, error) = (null, $"cannot resolve {target.Host}: no answer within {_options.ResolveTimeout.TotalSeconds:0.#} s");
        }

        lock (_resolved)
        {
            if (server is not null)
            {
                _resolved[target] = (server, _time.GetTimestamp());
            }
            else if (_resolved.TryGetValue(target, out var stale))
            {
                // The resolver failing is not the upstream failing: keep probing the address we had.
                return (stale.Server, null);
            }
        }

        return (server, error);
    }

    private sealed record Wake(string Trigger, LocalNetworkChange? LocalChange, RouterHint? Hint);
}
