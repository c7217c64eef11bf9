using System.Net;
using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>RTM_NEWROUTE / RTM_DELROUTE: struct rtmsg plus RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY, RTA_TABLE, RTA_MULTIPATH.</summary>
/// <param name="NextHops">RTA_MULTIPATH paths (ECMP); empty for a single-path route, which uses Gateway/OutputInterfaceIndex.</param>
/// <param name="Table">RTA_TABLE when present (tables above 255 only fit there), else rtm_table.</param>
public sealed record RouteMessage(
    NetlinkHeader Header,
    byte Family,
    byte DestinationLength,
    byte Tos,
    uint Table,
    byte Protocol,
    byte Scope,
    byte RouteType,
    IPAddress? Destination,
    IPAddress? Gateway,
    int OutputInterfaceIndex,
    uint Priority,
    IReadOnlyList<RouteNextHop> NextHops) : NetlinkMessage(Header)
{
    public bool IsDelete => Header.Type == NetlinkConstants.RtmDelRoute;
}
