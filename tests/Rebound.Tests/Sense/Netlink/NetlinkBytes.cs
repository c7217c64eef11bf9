using System.Net;
using System.Text;

namespace Rebound.Tests.Sense.Netlink;

/// <summary>
/// Builds rtnetlink messages byte by byte from the kernel's struct layouts (host order; the tests run on
/// little-endian hosts), independently of the codec under test.
///
/// struct nlmsghdr  (16): u32 len | u16 type | u16 flags | u32 seq | u32 pid
/// struct rtattr    (4) : u16 len (header + payload, unpadded) | u16 type, then payload padded to 4
/// struct ifinfomsg (16): u8 family | u8 pad | u16 type | i32 index | u32 flags | u32 change
/// struct ifaddrmsg (8) : u8 family | u8 prefixlen | u8 flags | u8 scope | u32 index
/// struct rtmsg     (12): u8 family | u8 dst_len | u8 src_len | u8 tos | u8 table | u8 protocol | u8 scope | u8 type | u32 flags
/// struct rtnexthop (8): u16 len (incl. its attributes) | u8 flags | u8 hops | i32 ifindex, then rtattrs (RTA_GATEWAY)
/// struct ndmsg     (12): u8 family | u8 pad1 | u16 pad2 | i32 ifindex | u16 state | u8 flags | u8 type
/// struct nlmsgerr  (4+): i32 error (negative errno) | struct nlmsghdr of the request
/// </summary>
internal static class NetlinkBytes
{
    public const byte AfInet = 2;
    public const byte AfInet6 = 10;

    public static byte[] Message(ushort type, ushort flags, uint seq, uint pid, byte[] body)
    {
        var b = new List<byte>();
        U32(b, (uint)(16 + body.Length));
        U16(b, type);
        U16(b, flags);
        U32(b, seq);
        U32(b, pid);
        b.AddRange(body);
        Pad(b);
        return [.. b];
    }

    public static byte[] Link(ushort type, int index, uint ifFlags, string? name, byte[]? mac = null, byte? operState = null, byte family = 0, ushort flags = 0, uint seq = 0, uint pid = 0)
    {
        var b = new List<byte> { family, 0 };
        U16(b, 1); // ARPHRD_ETHER
        U32(b, (uint)index);
        U32(b, ifFlags);
        U32(b, 0xFFFFFFFF);
        if (name is not null)
        {
            Attr(b, 3, [.. Encoding.ASCII.GetBytes(name), 0]); // IFLA_IFNAME, NUL-terminated
        }

        if (mac is not null)
        {
            Attr(b, 1, mac); // IFLA_ADDRESS
        }

        if (operState is { } op)
        {
            Attr(b, 16, [op]); // IFLA_OPERSTATE
        }

        return Message(type, flags, seq, pid, [.. b]);
    }

    public static byte[] Address(ushort type, int index, string address, byte prefix, byte scope = 0, byte ifaFlags = 0, uint? extendedFlags = null, ushort flags = 0, uint seq = 0, uint pid = 0)
    {
        var ip = IPAddress.Parse(address);
        var family = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? AfInet : AfInet6;
        var b = new List<byte> { family, prefix, ifaFlags, scope };
        U32(b, (uint)index);
        Attr(b, 1, ip.GetAddressBytes()); // IFA_ADDRESS
        if (family == AfInet)
        {
            Attr(b, 2, ip.GetAddressBytes()); // IFA_LOCAL, as the kernel sends for IPv4
        }

        if (extendedFlags is { } ef)
        {
            var v = new List<byte>();
            U32(v, ef);
            Attr(b, 8, [.. v]); // IFA_FLAGS
        }

        return Message(type, flags, seq, pid, [.. b]);
    }

    public static byte[] Route(ushort type, string? gateway, int oif, uint priority = 0, byte family = AfInet, byte dstLen = 0, string? destination = null, uint table = 254, byte routeType = 1, ushort flags = 0, uint seq = 0, uint pid = 0, (string Gateway, int Index)[]? nextHops = null)
    {
        // rtm_table only holds 8 bits; the kernel also sends RTA_TABLE, which is authoritative.
        var b = new List<byte> { family, dstLen, 0, 0, (byte)Math.Min(table, 252), 3 /* RTPROT_BOOT */, 0 /* RT_SCOPE_UNIVERSE */, routeType };
        U32(b, 0);
        Attr(b, 15, LeU32(table)); // RTA_TABLE
        if (destination is not null)
        {
            Attr(b, 1, IPAddress.Parse(destination).GetAddressBytes()); // RTA_DST
        }

        if (priority != 0)
        {
            Attr(b, 6, LeU32(priority)); // RTA_PRIORITY
        }

        if (gateway is not null)
        {
            Attr(b, 5, IPAddress.Parse(gateway).GetAddressBytes()); // RTA_GATEWAY
        }

        if (oif != 0)
        {
            Attr(b, 4, LeU32((uint)oif)); // RTA_OIF
        }

        if (nextHops is not null)
        {
            var multipath = new List<byte>();
            foreach (var (hopGateway, index) in nextHops)
            {
                var hop = new List<byte> { 0, 0, 0 /* flags */, 0 /* hops */ };
                U32(hop, (uint)index);
                Attr(hop, 5, IPAddress.Parse(hopGateway).GetAddressBytes()); // RTA_GATEWAY
                hop[0] = (byte)hop.Count;
                multipath.AddRange(hop);
            }

            Attr(b, 9, [.. multipath]); // RTA_MULTIPATH
        }

        return Message(type, flags, seq, pid, [.. b]);
    }

    public static byte[] Neighbour(ushort type, int ifindex, string destination, ushort state, byte[]? lladdr, byte ndFlags = 0, ushort flags = 0, uint seq = 0, uint pid = 0)
    {
        var ip = IPAddress.Parse(destination);
        var family = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? AfInet : AfInet6;
        var b = new List<byte> { family, 0, 0, 0 };
        U32(b, (uint)ifindex);
        U16(b, state);
        b.Add(ndFlags);
        b.Add(1); // RTN_UNICAST
        Attr(b, 1, ip.GetAddressBytes()); // NDA_DST
        if (lladdr is not null)
        {
            Attr(b, 2, lladdr); // NDA_LLADDR
        }

        return Message(type, flags, seq, pid, [.. b]);
    }

    public static byte[] Error(int errno, uint seq, uint pid, ushort requestType = 18)
    {
        var b = new List<byte>();
        U32(b, unchecked((uint)-errno));
        b.AddRange(Message(requestType, 0x301, seq, 0, []));
        return Message(2, 0, seq, pid, [.. b]);
    }

    public static byte[] Done(uint seq, uint pid, int errno = 0) => Message(3, 2, seq, pid, LeU32(unchecked((uint)-errno)));

    /// <summary>Rewrites seq/pid (and adds NLM_F_MULTI) so a stored message reads as part of a dump reply.</summary>
    public static byte[] AsDumpReply(byte[] message, uint seq, uint pid, ushort extraFlags = 0)
    {
        var copy = (byte[])message.Clone();
        var flags = (ushort)(copy[6] | (copy[7] << 8) | 0x2 | extraFlags);
        copy[6] = (byte)flags;
        copy[7] = (byte)(flags >> 8);
        LeU32(seq).CopyTo(copy, 8);
        LeU32(pid).CopyTo(copy, 12);
        return copy;
    }

    public static byte[] Concat(params byte[][] messages) => [.. messages.SelectMany(m => m)];

    public static byte[] Mac(string text) => [.. text.Split(':').Select(h => Convert.ToByte(h, 16))];

    public static byte[] LeU32(uint v) => [(byte)v, (byte)(v >> 8), (byte)(v >> 16), (byte)(v >> 24)];

    private static void Attr(List<byte> b, ushort type, byte[] payload)
    {
        U16(b, (ushort)(4 + payload.Length));
        U16(b, type);
        b.AddRange(payload);
        Pad(b);
    }

    private static void Pad(List<byte> b)
    {
        while (b.Count % 4 != 0)
        {
            b.Add(0);
        }
    }

    private static void U16(List<byte> b, ushort v)
    {
        b.Add((byte)v);
        b.Add((byte)(v >> 8));
    }

    private static void U32(List<byte> b, uint v) => b.AddRange(LeU32(v));
}
