using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>NLMSG_NOOP: carries nothing and is ignored.</summary>
public sealed record NoopMessage(NetlinkHeader Header) : NetlinkMessage(Header);
