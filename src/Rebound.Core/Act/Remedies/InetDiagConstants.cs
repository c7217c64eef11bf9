namespace Rebound.Act.Remedies;

/// <summary>Values from linux/sock_diag.h, linux/inet_diag.h and linux/tcp.h that reset-tcp needs.</summary>
public static class InetDiagConstants
{
    /// <summary>SOCK_DIAG_BY_FAMILY: list sockets; SOCK_DESTROY: close one from outside (CONFIG_INET_DIAG_DESTROY).</summary>
    public const ushort SockDiagByFamily = 20;
    public const ushort SockDestroy = 21;

    /// <summary>struct inet_diag_sockid: sport, dport (be16), src[4], dst[4] (be32), if, cookie[2] (host order).</summary>
    public const int SockIdLength = 48;

    /// <summary>struct inet_diag_req_v2: family, protocol, ext, pad, states (host u32), then the socket id.</summary>
    public const int RequestLength = 8 + SockIdLength;

    /// <summary>struct inet_diag_msg: family, state, timer, retrans, id, expires, rqueue, wqueue, uid, inode.</summary>
    public const int MessageLength = 4 + SockIdLength + 20;

    /// <summary>INET_DIAG_INFO: the attribute holding struct tcp_info; requested with bit (INET_DIAG_INFO - 1) of ext.</summary>
    public const ushort AttrInfo = 2;

    public const byte ExtInfo = 1 << (AttrInfo - 1);

    public const byte AfInet = 2;
    public const byte AfInet6 = 10;
    public const byte IpprotoTcp = 6;

    /// <summary>TCP_ESTABLISHED; states are a bit mask of 1 &lt;&lt; state in requests.</summary>
    public const byte TcpEstablished = 1;
    public const uint AllStates = 0xFFFFFFFF;

    // Offsets in struct tcp_info (linux/tcp.h): 8 bytes of u8 fields, then u32s.
    public const int TcpInfoUnackedOffset = 24;
    public const int TcpInfoLastDataRecvOffset = 52;
    public const int TcpInfoLastAckRecvOffset = 56;

    /// <summary>Long enough to reach tcpi_last_ack_recv.</summary>
    public const int TcpInfoMinimumLength = 60;

    public const int Enoent = 2;
    public const int Eopnotsupp = 95;
}
