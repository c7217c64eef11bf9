using System.Net;
using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>RTM_NEWNEIGH / RTM_DELNEIGH: struct ndmsg plus NDA_DST, NDA_LLADDR.</summary>
/// <param name="LinkLayerAddress">Absent while the entry is INCOMPLETE or FAILED.</param>
public sealed record NeighbourMessage(
    NetlinkHeader Header,
    byte Family,
    int InterfaceIndex,
    ushort State,
    byte Flags,
    byte NeighbourType,
    IPAddress? Destination,
    byte[]? LinkLayerAddress) : NetlinkMessage(Header)
{
    public bool IsDelete => Header.Type == NetlinkConstants.RtmDelNeigh;
}
