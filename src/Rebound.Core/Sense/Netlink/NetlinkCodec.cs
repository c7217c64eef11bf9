using System.Buffers.Binary;
using System.Net;
using System.Text;
using static Rebound.Sense.Netlink.NetlinkConstants;

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

    public static int Align(int length) => (length + 3) & ~3;

    public static NetlinkParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        var messages = new List<NetlinkMessage>();
        var offset = 0;
        while (offset < buffer.Length)
        {
            var remaining = buffer.Length - offset;
            if (remaining < HeaderLength)
            {
                return new(messages, $"{remaining} trailing bytes at offset {offset} are shorter than a header");
            }

            var header = ReadHeader(buffer[offset..]);
            if (header.Length < HeaderLength || header.Length > (uint)remaining)
            {
                return new(messages, $"message at offset {offset} claims length {header.Length} with {remaining} bytes left");
            }

            var body = buffer.Slice(offset + HeaderLength, (int)header.Length - HeaderLength);
            messages.Add(Decode(header, body));
            offset += Math.Min(Align((int)header.Length), remaining);
        }

        return new(messages, null);
    }

    /// <summary>Bytes needed for a dump request of <paramref name="type"/>.</summary>
    public static int DumpRequestLength(ushort type) => HeaderLength + DumpBodyLength(type);

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
        WriteUInt32(message, (uint)length);
        WriteUInt16(message[4..], type);
        WriteUInt16(message[6..], NlmFRequest | NlmFDump);
        WriteUInt32(message[8..], sequence);
        WriteUInt32(message[12..], 0); // pid 0: let the kernel fill in our port id
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
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a dump request type this codec writes"),
    };

    private static NetlinkHeader ReadHeader(ReadOnlySpan<byte> span) =>
        new(ReadUInt32(span), ReadUInt16(span[4..]), ReadUInt16(span[6..]), ReadUInt32(span[8..]), ReadUInt32(span[12..]));

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
        _ => new UnknownMessage(header),
    };

    // The kernel reports errors negated; a positive value should not occur, but keep its magnitude.
    private static int Errno(int raw) => raw == int.MinValue ? int.MaxValue : Math.Abs(raw);

    private static NetlinkMessage DecodeError(NetlinkHeader header, ReadOnlySpan<byte> body)
    {
        if (body.Length < 4)
        {
            return new UnknownMessage(header);
        }

        NetlinkHeader? original = body.Length >= 4 + HeaderLength ? ReadHeader(body[4..]) : null;
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

    private static ushort ReadUInt16(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    private static uint ReadUInt32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    private static int ReadInt32(ReadOnlySpan<byte> s) => unchecked((int)ReadUInt32(s));

    private static void WriteUInt16(Span<byte> s, ushort v)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(s, v);
        }
    }

    private static void WriteUInt32(Span<byte> s, uint v)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(s, v);
        }
    }
}
