using Rebound.Transport.Netlink;

namespace Rebound.Sense.Netlink;

/// <summary>NLMSG_ERROR: struct nlmsgerr. <see cref="Errno"/> 0 is an acknowledgement.</summary>
/// <param name="Errno">Positive errno (the kernel sends it negated).</param>
/// <param name="OriginalHeader">Header of the request that failed, when it fits.</param>
public sealed record ErrorMessage(NetlinkHeader Header, int Errno, NetlinkHeader? OriginalHeader) : NetlinkMessage(Header)
{
    public bool IsAcknowledgement => Errno == 0;
}
