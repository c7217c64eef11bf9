using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>NLMSG_DONE: end of a dump. A dump that failed part-way carries a negative error in its payload.</summary>
/// <param name="Errno">Positive errno if the dump failed, else 0.</param>
public sealed record DoneMessage(NetlinkHeader Header, int Errno) : NetlinkMessage(Header);
