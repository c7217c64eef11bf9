using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>One decoded netlink message; the concrete type says which kind.</summary>
public abstract record NetlinkMessage(NetlinkHeader Header);
