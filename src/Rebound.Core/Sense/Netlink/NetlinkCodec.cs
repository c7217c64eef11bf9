using System.Net;
using System.Text;
using Rebound.Transport.Netlink;
using static Rebound.Sense.Netlink.NetlinkConstants;
using static Rebound.Transport.Netlink.NetlinkFraming;

namespace Rebound.Sense.Netlink;

/// <summary>
/// Pure rtnetlink codec over spans. <see cref="Parse"/> never throws: anything the kernel (or a corrupt buffer)
/// hands it comes back as messages plus an error string. Integers are in host byte order, as netlink defines them.
/// </summary>
public static class NetlinkCodec
{
    private const int IfInfoMsgLength = 16;  // family u8, pad u8, type u16, index i32, flags u32, change u32
    private const int IfAddrMsgLength = 8;   // family u8, prefixlen u8, flags u8, scope u8, index u32
    private const int RtMsgLength = 12;      // family, dst_len, src_len, tos, table, protocol, scope, type (u8 each), flags u32
    private const int NdMsgLength = 12;      // family u8, pad u8, pad u16, ifindex i32, state u16, flags u8, type u8
    private const int RtNextHopLength = 8;   // len u16, flags u8, hops u8, ifindex i32
    private const int FibRuleHdrLength = 12; // family, dst_len, src_len, tos, table, res1, res2, action (u8 each), flags u32

    public static NetlinkParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        var messages = new List<NetlinkMessage>();
        var reader = new NetlinkMessageReader(buffer);
        while (reader.Next(out var header, out var body))
            messages.Add(Decode(header, body));
        return new(messages, reader.Error);
    }

    /// <summary>Bytes needed for a dump request of <paramref name="type"/>.</summary>
    public static int DumpRequestLength(ushort type) => NetlinkHeader.Size + DumpBodyLength(type);

    /// <summary>Writes an RTM_GET* request with NLM_F_REQUEST|NLM_F_DUMP for all families; returns the bytes written.</summary>
    public static int WriteDumpRequest(Span<byte> destination, ushort type, uint sequence)
    {
        var length = DumpRequestLength(type);
        if (destination.Length < length)
        {
            throw new ArgumentException($"need {length} bytes", nameof(destination));
        }

        var message = destination[..length];
        message.Clear(); // body is all zero: family AF_UNSPEC, no filters
        new NetlinkHeader((uint)length, type, NlmFRequest | NlmFDump, sequence, 0).Write(message); // pid 0: the kernel fills in our port id
        return length;
    }

    public static byte[] CreateDumpRequest(ushort type, uint sequence)
    {
        var bytes = new byte[DumpRequestLength(type)];
        WriteDumpRequest(bytes, type, sequence);
        return bytes;
    }

    private static int DumpBodyLength(ushort type) => type switch
    {
        RtmGetLink => IfInfoMsgLength,
        RtmGetAddr => IfAddrMsgLength,
        RtmGetRoute => RtMsgLength,
        RtmGetNeigh => NdMsgLength,
        RtmGetRule => FibRuleHdrLength,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a dump request type this codec writes"),
    };

    private static NetlinkMessage Decode(NetlinkHeader header, ReadOnlySpan<byte> body) => header.Type switch
    {
        NlmsgNoop => new NoopMessage(header),
        NlmsgError => DecodeError(header, body),
        NlmsgDone => new DoneMessage(header, body.Length >= 4 ? Errno(ReadInt32(body)) : 0),
        NlmsgOverrun => new OverrunMessage(header),
        RtmNewLink or RtmDelLink => DecodeLink(header, body),
        RtmNewAddr or RtmDelAddr => DecodeAddress(header, body),
        RtmNewRoute or RtmDelRoute => DecodeRoute(header, body),
        RtmNewNeigh or RtmDelNeigh => DecodeNeighbour(header, body),
        RtmNewRule or RtmDelRule => DecodeRule(header, body),
        _ => new UnknownMessage(header),
    };

    private static NetlinkMessage DecodeError(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < 4)
        {
            return new UnknownMessage(header);
        }

        NetlinkHeader? original = body.Length >= 4 + NetlinkHeader.Size ? NetlinkHeader.Read(body[4..]) : null;
        return new ErrorMessage(header, Errno(ReadInt32(body)), original);
    }

    private static NetlinkMessage DecodeLink(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < IfInfoMsgLength)
        {
            return new UnknownMessage(header);
        }

        string? name = null;
        byte[]? hardwareAddress = null;
        byte? operState = null;
        var attributes = new NetlinkAttributeReader(body[IfInfoMsgLength..]);
        while (attributes.Next(out var type, out var value))
        {
            switch (type)
            {
                case IflaIfname:
                    name = ReadCString(value);
                    break;
                case IflaAddress when value.Length > 0:
                    hardwareAddress = value.ToArray();
                    break;
                case IflaOperstate when value.Length >= 1:
                    operState = value[0];
                    break;
            }
        }

        return new LinkMessage(header, body[0], ReadUInt16(body[2..]), ReadInt32(body[4..]), ReadUInt32(body[8..]), name, hardwareAddress, operState);
    }

    private static NetlinkMessage DecodeAddress(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < IfAddrMsgLength)
        {
            return new UnknownMessage(header);
        }

        var family = body[0];
        uint flags = body[2];
        IPAddress? address = null, local = null;
        var attributes = new NetlinkAttributeReader(body[IfAddrMsgLength..]);
        while (attributes.Next(out var type, out var value))
        {
            switch (type)
            {
                case IfaAddress:
                    address = ReadIp(family, value);
                    break;
                case IfaLocal:
                    local = ReadIp(family, value);
                    break;
                case IfaFlags when value.Length >= 4:
                    flags = ReadUInt32(value);
                    break;
            }
        }

        return new AddressMessage(header, family, body[1], flags, body[3], ReadInt32(body[4..]), address, local);
    }

    private static NetlinkMessage DecodeRoute(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < RtMsgLength)
        {
            return new UnknownMessage(header);
        }

        var family = body[0];
        uint table = body[4];
        IPAddress? destination = null, gateway = null;
        var oif = 0;
        uint priority = 0;
        IReadOnlyList<RouteNextHop> nextHops = [];
        var attributes = new NetlinkAttributeReader(body[RtMsgLength..]);
        while (attributes.Next(out var type, out var value))
        {
            switch (type)
            {
                case RtaDst:
                    destination = ReadIp(family, value);
                    break;
                case RtaGateway:
                    gateway = ReadIp(family, value);
                    break;
                case RtaOif when value.Length >= 4:
                    oif = ReadInt32(value);
                    break;
                case RtaPriority when value.Length >= 4:
                    priority = ReadUInt32(value);
                    break;
                case RtaTable when value.Length >= 4:
                    table = ReadUInt32(value);
                    break;
                case RtaMultipath:
                    nextHops = ReadNextHops(family, value);
                    break;
            }
        }

        return new RouteMessage(header, family, body[1], body[3], table, body[5], body[6], body[7], destination, gateway, oif, priority, nextHops);
    }

    /// <summary>RTA_MULTIPATH: a run of struct rtnexthop, each followed by its own attributes; stops at the first that does not fit.</summary>
    private static List<RouteNextHop> ReadNextHops(byte family, ReadOnlySpan<byte> value)
    {
        var hops = new List<RouteNextHop>();
        while (value.Length >= RtNextHopLength)
        {
            int length = ReadUInt16(value);
            if (length < RtNextHopLength || length > value.Length)
            {
                break;
            }

            IPAddress? gateway = null;
            var attributes = new NetlinkAttributeReader(value[RtNextHopLength..length]);
            while (attributes.Next(out var type, out var attribute))
            {
                if (type == RtaGateway)
                {
                    gateway = ReadIp(family, attribute);
                }
            }

            hops.Add(new RouteNextHop(gateway, ReadInt32(value[4..]), value[2], value[3]));
            value = value[Math.Min(Align(length), value.Length)..];
        }

        return hops;
    }

    private static NetlinkMessage DecodeNeighbour(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < NdMsgLength)
        {
            return new UnknownMessage(header);
        }

        var family = body[0];
        IPAddress? destination = null;
        byte[]? lladdr = null;
        var attributes = new NetlinkAttributeReader(body[NdMsgLength..]);
        while (attributes.Next(out var type, out var value))
        {
            switch (type)
            {
                case NdaDst:
                    destination = ReadIp(family, value);
                    break;
                case NdaLladdr when value.Length > 0:
                    lladdr = value.ToArray();
                    break;
            }
        }

        return new NeighbourMessage(header, family, ReadInt32(body[4..]), ReadUInt16(body[8..]), body[10], body[11], destination, lladdr);
    }

    private static NetlinkMessage DecodeRule(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < FibRuleHdrLength)
        {
            return new UnknownMessage(header);
        }

        uint table = body[4], priority = 0;
        uint? mark = null, mask = null;
        var selectsMore = body[1] != 0 || body[2] != 0 || body[3] != 0; // dst_len, src_len, tos
        var attributes = new NetlinkAttributeReader(body[FibRuleHdrLength..]);
        while (attributes.Next(out var type, out var value))
        {
            switch (type)
            {
                case FraTable when value.Length >= 4:
                    table = ReadUInt32(value);
                    break;
                case FraPriority when value.Length >= 4:
                    priority = ReadUInt32(value);
                    break;
                case FraFwmark when value.Length >= 4:
                    mark = ReadUInt32(value);
                    break;
                case FraFwmask when value.Length >= 4:
                    mask = ReadUInt32(value);
                    break;
                case FraDst or FraSrc or FraIifname or FraOifname:
                    selectsMore = true;
                    break;
            }
        }

        return new RuleMessage(header, body[0], body[7], table, priority, mark, mask, selectsMore);
    }

    /// <summary>Family-checked: a 4-byte value in an AF_INET6 message is garbage, not an IPv4 address.</summary>
    private static IPAddress? ReadIp(byte family, ReadOnlySpan<byte> value) => (family, value.Length) switch
    {
        (AfInet, 4) or (AfInet6, 16) => new IPAddress(value),
        _ => null,
    };

    private static string ReadCString(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
    }
}
