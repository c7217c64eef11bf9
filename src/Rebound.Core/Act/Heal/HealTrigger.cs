using System.Net;
using Rebound.Decide;
using Rebound.Sense.Netlink;
using Rebound.Sense.Uplinks;

namespace Rebound.Act.Heal;

/// <summary>
/// Why the heal engine looks at its targets now, and what the agent knows at that moment.
/// <paramref name="DetectedAt"/> is when the detecting event happened: <c>heal-verified</c>'s
/// <c>elapsedMs</c> runs from there, not from when healing started.
/// </summary>
/// <param name="Reason">The detecting event (<see cref="HealReason.PublicAddressChanged"/>, ...) or the engine's own schedule (<see cref="HealReason.Periodic"/>, <see cref="HealReason.Retry"/>).</param>
/// <param name="Event">The detecting WAN event; null for periodic checks.</param>
/// <param name="PublicIpv4">Current public IPv4 address (null: unknown or upstream down).</param>
/// <param name="PublicIpv6">Current public IPv6 address.</param>
/// <param name="UpstreamUp">False while the watcher reports the upstream lost: there is nothing to heal then.</param>
/// <param name="LocalNetwork">The host's addresses and default routes now (null: no netlink monitor).</param>
/// <param name="PreviousLocalNetwork">The same before this event, for router mode's "which WAN departed".</param>
public sealed record HealTrigger(
    DateTimeOffset DetectedAt,
    HealReason Reason,
    WanEvent? Event,
    IPAddress? PublicIpv4,
    IPAddress? PublicIpv6,
    bool UpstreamUp,
    LocalNetworkSnapshot? LocalNetwork,
    LocalNetworkSnapshot? PreviousLocalNetwork)
{
    /// <summary>Router mode: each WAN's state from its own probes (null: no uplink monitor).</summary>
    public IReadOnlyList<UplinkStatus>? Uplinks { get; init; }
}
