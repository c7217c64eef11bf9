using System.Net;

namespace Rebound.Sense.Netlink;

/// <summary>One path of a multipath route: struct rtnexthop (len u16, flags u8, hops u8, ifindex i32) plus its RTA_GATEWAY.</summary>
public sealed record RouteNextHop(IPAddress? Gateway, int InterfaceIndex, byte Flags, byte Hops);
