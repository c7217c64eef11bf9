using System.Net;
using Rebound.Decide;

namespace Rebound.Sense.Uplinks;

/// <summary>
/// One WAN of a router changed state (router mode, per-uplink probes). <see cref="Address"/>: the public address
/// seen through it (up), or the last one known (down).
/// </summary>
public abstract record UplinkEvent(DateTimeOffset Time, string Interface, IpFamily Family, IPAddress? Address, string Evidence)
    : WanEvent(Time);

/// <summary>Probes through the WAN stopped coming back.</summary>
public sealed record UplinkDown(DateTimeOffset Time, string Interface, IpFamily Family, IPAddress? Address, string Evidence)
    : UplinkEvent(Time, Interface, Family, Address, Evidence);

/// <summary>Probes through the WAN come back (first time, again, or with a new public address).</summary>
public sealed record UplinkUp(DateTimeOffset Time, string Interface, IpFamily Family, IPAddress? Address, string Evidence)
    : UplinkEvent(Time, Interface, Family, Address, Evidence);
