using System.Net;
using Rebound.Record;

namespace Rebound.Sense.Uplinks;

/// <summary>Whether probes through one WAN come back.</summary>
public enum UplinkState
{
    /// <summary>Not probed yet, or the interface (or its address) is missing.</summary>
    [JsonName("unknown")]
    Unknown,

    [JsonName("up")]
    Up,

    [JsonName("down")]
    Down,
}

/// <summary>
/// One WAN as the uplink monitor sees it now. <see cref="Ipv4"/> is the public address the STUN servers saw
/// through it (behind CGNAT, not the interface's own); <see cref="LocalIpv4"/> is the interface address the
/// probe was sent from, which is what the router's NAT translates that WAN's flows to.
/// </summary>
public sealed record UplinkStatus(string Interface, UplinkState State, IPAddress? Ipv4, IPAddress? Ipv6, DateTimeOffset? Since)
{
    public IPAddress? LocalIpv4 { get; init; }

    /// <summary>Why the state is what it is (the last probe's outcome); one line.</summary>
    public string Evidence { get; init; } = "";
}
