using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Rebound.Decide;
using Rebound.Sense.Stun;

namespace Rebound.Sense.Uplinks;

/// <summary>
/// Router mode's per-WAN sensing: every <see cref="UplinkMonitorOptions.Interval"/>, one STUN probe per server
/// through each WAN separately (socket bound to the interface and its address, with its mark when configured), so
/// the router knows per uplink whether it carries traffic and which public address it has. Policy routing
/// (mwan3), a metric change or a dead upstream behind a link that stays up all show here, whatever the main
/// routing table says. A WAN interface that is missing stays <see cref="UplinkState.Unknown"/> and is looked for
/// again every round. Thread-safe; <see cref="Current"/> is a copy.
/// </summary>
public sealed class UplinkMonitor
{
    private readonly IReadOnlyList<string> _interfaces;
    private readonly IReadOnlyList<StunServer> _servers;
    private readonly UplinkMonitorOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<string, IPAddress?> _localIpv4;
    private readonly Func<StunProberOptions, IStunProber> _proberFor;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, UplinkStatus> _state = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <param name="localIpv4">The interface's IPv4 address to probe from (null: missing); default: the host's interfaces.</param>
    /// <param name="proberFor">Builds the prober for one probe's socket settings; default: <see cref="StunProber"/>.</param>
    public UplinkMonitor(
        IReadOnlyList<string> interfaces,
        IReadOnlyList<StunServer> servers,
        UplinkMonitorOptions? options = null,
        TimeProvider? timeProvider = null,
        Func<string, IPAddress?>? localIpv4 = null,
        Func<StunProberOptions, IStunProber>? proberFor = null)
    {
        ArgumentNullException.ThrowIfNull(interfaces);
        ArgumentNullException.ThrowIfNull(servers);
        _interfaces = [.. interfaces.Distinct(StringComparer.Ordinal)];
        _servers = [.. servers.Where(s => s.EndPoint.AddressFamily == AddressFamily.InterNetwork)];
        _options = options ?? new UplinkMonitorOptions();
        _time = timeProvider ?? TimeProvider.System;
        _localIpv4 = localIpv4 ?? InterfaceIpv4;
        _proberFor = proberFor ?? (o => new StunProber(o, _time));
        foreach (var name in _interfaces)
        {
            _state[name] = new UplinkStatus(name, UplinkState.Unknown, null, null, null) { Evidence = "not probed yet" };
        }
    }

    public IReadOnlyList<string> Interfaces => _interfaces;

    public IReadOnlyList<UplinkStatus> Current
    {
        get
        {
            lock (_gate)
                return [.. _interfaces.Select(i => _state[i])];
        }
    }

    /// <summary>The configured interfaces that do not exist (or have no IPv4 address) right now.</summary>
    public IReadOnlyList<string> Missing() => [.. _interfaces.Where(i => _localIpv4(i) is null)];

    /// <summary>Probes every WAN until cancelled; each change is reported to <paramref name="onEvent"/> (from the WAN's own loop).</summary>
    public async Task RunAsync(Action<UplinkEvent> onEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        if (_servers.Count == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(_interfaces.Select(i => Task.Run(() => LoopAsync(i, onEvent, cancellationToken), CancellationToken.None)));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round for one WAN (the loop's body; tests drive it directly). Returns the event it caused, if any.</summary>
    public async Task<UplinkEvent?> ProbeOnceAsync(string interfaceName, CancellationToken cancellationToken)
    {
        var local = _localIpv4(interfaceName);
        if (local is null)
        {
            return Observe(interfaceName, null, null, $"{interfaceName} is missing or has no IPv4 address");
        }

        var mark = _options.Marks.TryGetValue(interfaceName, out var m) ? m : (uint?)null;
        var prober = _proberFor(new StunProberOptions
        {
            Timeout = _options.ProbeTimeout,
            LocalAddress = local,
            PrepareSocket = s => UplinkSocket.Pin(s, interfaceName, mark),
        });
        var results = await Task.WhenAll(_servers.Select(s => prober.ProbeAsync(s, cancellationToken)));
        var ok = results.FirstOrDefault(r => r.Succeeded);
        if (ok is null && results.Length > 0 && results.All(r => r.LocalFailure))
        {
            // Out of descriptors here: nothing was sent, so nothing is known about this WAN.
            return null;
        }

        var evidence = ok is not null
            ? $"{ok.Server} saw {ok.Mapped!.Address} from {local} via {interfaceName} in {ok.Rtt.TotalMilliseconds:0} ms"
            : $"no answer via {interfaceName} from {local}: {string.Join("; ", results.Select(r => $"{r.Server} {r.Error}"))}";
        return Observe(interfaceName, local, ok?.Mapped?.Address, evidence);
    }

    private async Task LoopAsync(string name, Action<UplinkEvent> onEvent, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var started = _time.GetTimestamp();
            if (await ProbeOnceAsync(name, ct) is { } e)
            {
                onEvent(e);
            }

            var wait = _options.Interval - _time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, ct);
            }
        }
    }

    /// <summary>The state machine: up at the first answer (or a new address), down after DownAfter failures, unknown when missing and never seen.</summary>
    private UplinkEvent? Observe(string name, IPAddress? local, IPAddress? mapped, string evidence)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var before = _state[name];
            if (mapped is not null)
            {
                _failures[name] = 0;
                var changed = before.State != UplinkState.Up || !Equals(before.Ipv4, mapped) || !Equals(before.LocalIpv4, local);
                _state[name] = before with
                {
                    State = UplinkState.Up,
                    Ipv4 = mapped,
                    LocalIpv4 = local,
                    Since = before.State == UplinkState.Up ? before.Since : now,
                    Evidence = evidence,
                };
                return changed ? new UplinkUp(now, name, IpFamily.Ipv4, mapped, evidence) : null;
            }

            var failures = _failures[name] = _failures.GetValueOrDefault(name) + 1;
            if (local is null && before.State == UplinkState.Unknown)
            {
                _state[name] = before with { Evidence = evidence };
                return null;
            }

            if (before.State == UplinkState.Down || failures < _options.DownAfter)
            {
                _state[name] = before with { Evidence = evidence, LocalIpv4 = local ?? before.LocalIpv4 };
                return null;
            }

            // Keep the address the flows were translated to: the heal needs it after the interface lost it.
            _state[name] = before with { State = UplinkState.Down, Since = now, Evidence = evidence, LocalIpv4 = local ?? before.LocalIpv4 };
            return new UplinkDown(now, name, IpFamily.Ipv4, before.Ipv4, evidence);
        }
    }

    private static IPAddress? InterfaceIpv4(string name)
    {
        try
        {
            var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
            return nic?.GetIPProperties().UnicastAddresses.Select(a => a.Address).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}
