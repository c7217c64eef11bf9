namespace Rebound.Sense.Netlink;

/// <summary>
/// rtnetlink's values, from linux/rtnetlink.h, linux/if_addr.h, linux/neighbour.h and linux/if.h. What every netlink
/// protocol shares (control messages, header flags) is in <see cref="Rebound.Transport.Netlink.NetlinkFraming"/>.
/// </summary>
public static class NetlinkConstants
{
    // nlmsghdr.nlmsg_type: rtnetlink
    public const ushort RtmNewLink = 16;
    public const ushort RtmDelLink = 17;
    public const ushort RtmGetLink = 18;
    public const ushort RtmNewAddr = 20;
    public const ushort RtmDelAddr = 21;
    public const ushort RtmGetAddr = 22;
    public const ushort RtmNewRoute = 24;
    public const ushort RtmDelRoute = 25;
    public const ushort RtmGetRoute = 26;
    public const ushort RtmNewNeigh = 28;
    public const ushort RtmDelNeigh = 29;
    public const ushort RtmGetNeigh = 30;
    public const ushort RtmNewRule = 32;
    public const ushort RtmDelRule = 33;
    public const ushort RtmGetRule = 34;

    /// <summary>nlmsg_flags on RTM_NEW*: the message replaces an existing object (no DEL is sent for the old one).</summary>
    public const ushort NlmFReplace = 0x100;

    // multicast group bitmask for sockaddr_nl.nl_groups
    public const uint RtmgrpLink = 0x1;
    public const uint RtmgrpNeigh = 0x4;
    public const uint RtmgrpIpv4Ifaddr = 0x10;
    public const uint RtmgrpIpv4Route = 0x40;
    public const uint RtmgrpIpv6Ifaddr = 0x100;
    public const uint RtmgrpIpv6Route = 0x400;

    public const uint MonitorGroups =
        RtmgrpLink | RtmgrpNeigh | RtmgrpIpv4Ifaddr | RtmgrpIpv4Route | RtmgrpIpv6Ifaddr | RtmgrpIpv6Route;

    // address families as the kernel numbers them
    public const byte AfUnspec = 0;
    public const byte AfInet = 2;
    public const byte AfInet6 = 10;
    public const byte AfBridge = 7;

    // IFLA_*
    public const ushort IflaAddress = 1;
    public const ushort IflaIfname = 3;
    public const ushort IflaOperstate = 16;

    // IFA_*
    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaFlags = 8;

    // IFA_F_*
    public const uint IfaFTemporary = 0x01;
    public const uint IfaFDadFailed = 0x08;
    public const uint IfaFDeprecated = 0x20;
    public const uint IfaFTentative = 0x40;

    // RTA_*
    public const ushort RtaDst = 1;
    public const ushort RtaOif = 4;
    public const ushort RtaGateway = 5;
    public const ushort RtaPriority = 6;
    public const ushort RtaMultipath = 9;
    public const ushort RtaTable = 15;

    public const uint RtTableDefault = 253;
    public const uint RtTableMain = 254;
    public const uint RtTableLocal = 255;
    public const byte RtnUnicast = 1;

    // FRA_* (policy routing rules, linux/fib_rules.h)
    public const ushort FraDst = 1;
    public const ushort FraSrc = 2;
    public const ushort FraIifname = 3;
    public const ushort FraPriority = 6;
    public const ushort FraFwmark = 10;
    public const ushort FraTable = 15;
    public const ushort FraFwmask = 16;
    public const ushort FraOifname = 17;

    /// <summary>FR_ACT_TO_TBL: the rule sends matching packets to a table.</summary>
    public const byte FrActToTable = 1;

    // NDA_*
    public const ushort NdaDst = 1;
    public const ushort NdaLladdr = 2;

    // NUD_* (ndm_state)
    public const ushort NudIncomplete = 0x01;
    public const ushort NudReachable = 0x02;
    public const ushort NudStale = 0x04;
    public const ushort NudDelay = 0x08;
    public const ushort NudProbe = 0x10;
    public const ushort NudFailed = 0x20;
    public const ushort NudNoArp = 0x40;
    public const ushort NudPermanent = 0x80;

    // NTF_* (ndm_flags)
    public const byte NtfProxy = 0x08;

    // IFF_* (ifi_flags)
    public const uint IffUp = 0x1;
    public const uint IffLoopback = 0x8;
}
