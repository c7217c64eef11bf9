using System.Net;
using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>RTM_NEWADDR / RTM_DELADDR: struct ifaddrmsg plus IFA_ADDRESS, IFA_LOCAL, IFA_FLAGS.</summary>
/// <param name="Flags">IFA_FLAGS when present (it carries bits that do not fit in ifa_flags), else ifa_flags.</param>
public sealed record AddressMessage(
    NetlinkHeader Header,
    byte Family,
    byte PrefixLength,
    uint Flags,
    byte Scope,
    int InterfaceIndex,
    IPAddress? Address,
    IPAddress? Local) : NetlinkMessage(Header)
{
    public bool IsDelete => Header.Type == NetlinkConstants.RtmDelAddr;

    /// <summary>The interface's own address: IFA_LOCAL on IPv4 (IFA_ADDRESS is the peer on point-to-point links), else IFA_ADDRESS.</summary>
    public IPAddress? OwnAddress => Local ?? Address;
}
