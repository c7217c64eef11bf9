namespace Rebound.Transport.Netlink;

/// <summary>The netlink protocols (socket(AF_NETLINK, SOCK_RAW, protocol)) this agent speaks, from linux/netlink.h.</summary>
public enum NetlinkProtocol
{
    /// <summary>NETLINK_ROUTE (rtnetlink): links, addresses, routes, neighbours.</summary>
    Route = 0,

    /// <summary>NETLINK_SOCK_DIAG (inet_diag): list this host's sockets, and destroy them (SOCK_DESTROY).</summary>
    SockDiag = 4,

    /// <summary>NETLINK_NETFILTER (nfnetlink): conntrack (ctnetlink), nftables.</summary>
    Netfilter = 12,
}
