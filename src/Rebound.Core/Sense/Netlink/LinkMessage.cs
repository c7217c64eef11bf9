using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>RTM_NEWLINK / RTM_DELLINK: struct ifinfomsg plus IFLA_IFNAME, IFLA_ADDRESS, IFLA_OPERSTATE.</summary>
public sealed record LinkMessage(
    NetlinkHeader Header,
    byte Family,
    ushort DeviceType,
    int InterfaceIndex,
    uint Flags,
    string? Name,
    byte[]? HardwareAddress,
    byte? OperState) : NetlinkMessage(Header)
{
    public bool IsDelete => Header.Type == NetlinkConstants.RtmDelLink;
    public bool IsLoopback => (Flags & NetlinkConstants.IffLoopback) != 0;
    public bool IsUp => (Flags & NetlinkConstants.IffUp) != 0;
}
