using System.Net;
using Rebound.Decide;
using Rebound.Sense.Netlink;
using Rebound.Sense.Uplinks;

namespace Rebound.Act.Heal;

/// <summary>
/// Decides which WAN events are worth a look at the heal targets, and keeps what the agent knows between events
/// (current public addresses, whether the upstream is up, the local network before and after) so every trigger
/// carries the whole picture. Thread-safe.
/// </summary>
public sealed class HealTriggerSource
{
    private readonly Lock _gate = new();
    private readonly HashSet<IpFamily> _lost = [];
    private readonly HashSet<IpFamily> _seen = [];
    private IPAddress? _ipv4;
    private IPAddress? _ipv6;
    private LocalNetworkSnapshot? _current;
    private LocalNetworkSnapshot? _previous;
    private IReadOnlyList<UplinkStatus>? _uplinks;

    /// <summary>True unless every family the watcher has reported on is lost.</summary>
    public bool UpstreamUp
    {
        get
        {
            lock (_gate)
                return IsUp();
        }
    }

    /// <summary>
    /// Records <paramref name="wanEvent"/> and, when it may have broken something, returns the trigger to hand to
    /// <see cref="HealEngine.OnTrigger"/>: <c>started</c> (as <c>startup</c>), <c>public-address-changed</c>,
    /// <c>upstream-restored</c>, <c>local-network-changed</c>. <c>upstream-lost</c> only updates the state (nothing
    /// can be healed without an upstream). <paramref name="current"/> is the local network now, when known.
    /// </summary>
    public HealTrigger? OnWanEvent(WanEvent wanEvent, LocalNetworkSnapshot? current)
    {
        ArgumentNullException.ThrowIfNull(wanEvent);
        lock (_gate)
        {
            if (current is not null && (_current is null || _current.Fingerprint != current.Fingerprint))
            {
                _previous = _current;
                _current = current;
            }

            HealReason? reason = null;
            switch (wanEvent)
            {
                case WatcherStarted s:
                    SetAddress(IpFamily.Ipv4, s.Ipv4);
                    SetAddress(IpFamily.Ipv6, s.Ipv6);
                    reason = HealReason.Startup;
                    break;
                case PublicAddressChanged c:
                    SetAddress(c.Family, c.New);
                    reason = HealReason.PublicAddressChanged;
                    break;
                case UpstreamRestored r:
                    SetAddress(r.Family, r.Address);
                    reason = HealReason.UpstreamRestored;
                    break;
                case UpstreamLost l:
                    _seen.Add(l.Family);
                    _lost.Add(l.Family);
                    if (l.Family == IpFamily.Ipv4)
                        _ipv4 = null;
                    else
                        _ipv6 = null;
                    break;
                case LocalNetworkChanged:
                    reason = HealReason.LocalNetworkChanged;
                    break;
            }

            return reason is not { } why ? null : new HealTrigger(wanEvent.Time, why, wanEvent, _ipv4, _ipv6, IsUp(), _current, _previous) { Uplinks = _uplinks };
        }
    }

    /// <summary>A periodic check's trigger from the last known state (the local network did not change).</summary>
    public HealTrigger Periodic(DateTimeOffset now)
    {
        lock (_gate)
            return new HealTrigger(now, HealReason.Periodic, null, _ipv4, _ipv6, IsUp(), _current, _current) { Uplinks = _uplinks };
    }

    /// <summary>
    /// Router mode: an uplink changed state; <paramref name="uplinks"/> is every WAN now. The trigger carries the
    /// local network unchanged (previous = current: no route moved).
    /// </summary>
    public HealTrigger OnUplinkEvent(UplinkEvent uplinkEvent, IReadOnlyList<UplinkStatus> uplinks)
    {
        ArgumentNullException.ThrowIfNull(uplinkEvent);
        ArgumentNullException.ThrowIfNull(uplinks);
        lock (_gate)
        {
            _uplinks = uplinks;
            return new HealTrigger(uplinkEvent.Time, HealReason.UplinkChanged, uplinkEvent, _ipv4, _ipv6, IsUp(), _current, _current) { Uplinks = uplinks };
        }
    }

    private void SetAddress(IpFamily family, IPAddress? address)
    {
        if (address is null)
            return;
        _seen.Add(family);
        _lost.Remove(family);
        if (family == IpFamily.Ipv4)
            _ipv4 = address;
        else
            _ipv6 = address;
    }

    private bool IsUp() => _seen.Count == 0 || _seen.Any(f => !_lost.Contains(f));
}
