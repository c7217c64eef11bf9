using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>NLMSG_OVERRUN: data was lost; the receiver must resynchronise.</summary>
public sealed record OverrunMessage(NetlinkHeader Header) : NetlinkMessage(Header);
