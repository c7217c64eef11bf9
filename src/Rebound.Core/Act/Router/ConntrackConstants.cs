namespace Rebound.Act.Router;

/// <summary>Values from linux/netfilter/nfnetlink.h and linux/netfilter/nfnetlink_conntrack.h.</summary>
public static class ConntrackConstants
{
    /// <summary>struct nfgenmsg: family u8, version u8, res_id be16.</summary>
    public const int NfGenMsgLength = 4;
    public const byte NfnetlinkV0 = 0;

    /// <summary>NFNL_SUBSYS_CTNETLINK; message types are (subsystem &lt;&lt; 8) | message.</summary>
    public const byte SubsysCtnetlink = 1;
    public const byte MsgCtNew = 0;
    public const byte MsgCtGet = 1;
    public const byte MsgCtDelete = 2;

    public const ushort CtNew = (SubsysCtnetlink << 8) | MsgCtNew;
    public const ushort CtGet = (SubsysCtnetlink << 8) | MsgCtGet;
    public const ushort CtDelete = (SubsysCtnetlink << 8) | MsgCtDelete;

    // enum ctattr_type
    public const ushort CtaTupleOrig = 1;
    public const ushort CtaTupleReply = 2;
    public const ushort CtaStatus = 3;
    public const ushort CtaTimeout = 7;
    public const ushort CtaMark = 8;
    public const ushort CtaId = 12;
    public const ushort CtaZone = 18;

    // enum ctattr_tuple
    public const ushort CtaTupleIp = 1;
    public const ushort CtaTupleProto = 2;
    public const ushort CtaTupleZone = 3;

    // enum ctattr_ip
    public const ushort CtaIpV4Src = 1;
    public const ushort CtaIpV4Dst = 2;
    public const ushort CtaIpV6Src = 3;
    public const ushort CtaIpV6Dst = 4;

    // enum ctattr_l4proto
    public const ushort CtaProtoNum = 1;
    public const ushort CtaProtoSrcPort = 2;
    public const ushort CtaProtoDstPort = 3;
    public const ushort CtaProtoIcmpId = 4;
    public const ushort CtaProtoIcmpType = 5;
    public const ushort CtaProtoIcmpCode = 6;
    public const ushort CtaProtoIcmpv6Id = 7;
    public const ushort CtaProtoIcmpv6Type = 8;
    public const ushort CtaProtoIcmpv6Code = 9;

    /// <summary>nlattr type flags: nested, and network byte order.</summary>
    public const ushort NlaFNested = 0x8000;
    public const ushort NlaFNetByteOrder = 0x4000;

    public const byte AfUnspec = 0;
    public const byte AfInet = 2;
    public const byte AfInet6 = 10;

    public const byte IpprotoIcmp = 1;
    public const byte IpprotoTcp = 6;
    public const byte IpprotoUdp = 17;
    public const byte IpprotoIcmpv6 = 58;

    /// <summary>IPS_SRC_NAT: the entry's source was translated (SNAT/MASQUERADE).</summary>
    public const uint StatusSrcNat = 1 << 4;

    public const int Enoent = 2;
}
