using System.Buffers.Binary;
using System.Net;
using Rebound.Sense.Netlink;
using static Rebound.Act.Router.ConntrackConstants;

namespace Rebound.Act.Router;

/// <summary>A netlink acknowledgement or error (NLMSG_ERROR) for the request with <paramref name="Sequence"/>; errno 0 is success.</summary>
public readonly record struct ConntrackAck(uint Sequence, int Errno);

/// <summary>
/// What a buffer from a NETLINK_NETFILTER socket held: conntrack entries, acknowledgements, whether the dump
/// ended (NLMSG_DONE), and the first structural problem (null: none). Entries before a problem are kept.
/// </summary>
public sealed record ConntrackParseResult(IReadOnlyList<ConntrackEntry> Entries, IReadOnlyList<ConntrackAck> Acks, bool Done, string? Error);

/// <summary>
/// Pure ctnetlink codec over spans. <see cref="Parse"/> never throws. The netlink and nfgenmsg headers are in host
/// byte order; the conntrack attributes themselves (addresses, ports, status, id, zone) are big-endian.
/// </summary>
public static class ConntrackCodec
{
    internal const int HeaderLength = 16;
    private const ushort NlmsgError = 2;
    private const ushort NlmsgDone = 3;

    public static int Align(int length) => (length + 3) & ~3;

    public static ConntrackParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        var entries = new List<ConntrackEntry>();
        var acks = new List<ConntrackAck>();
        var done = false;
        var offset = 0;
        while (offset < buffer.Length)
        {
            var remaining = buffer.Length - offset;
            if (remaining < HeaderLength)
            {
                return new(entries, acks, done, $"{remaining} trailing bytes at offset {offset} are shorter than a netlink header");
            }

            var span = buffer[offset..];
            var length = Host32(span);
            var type = Host16(span[4..]);
            var sequence = Host32(span[8..]);
            if (length < HeaderLength || length > (uint)remaining)
            {
                return new(entries, acks, done, $"message at offset {offset} claims length {length} with {remaining} bytes left");
            }

            var body = span[HeaderLength..(int)length];
            switch (type)
            {
                case NlmsgDone:
                    done = true;
                    break;
                case NlmsgError when body.Length >= 4:
                    var raw = unchecked((int)Host32(body));
                    acks.Add(new ConntrackAck(sequence, raw == int.MinValue ? int.MaxValue : Math.Abs(raw)));
                    break;
                case CtNew or CtDelete:
                    if (DecodeEntry(body) is { } entry)
                    {
                        entries.Add(entry);
                    }

                    break;
            }

            offset += Math.Min(Align((int)length), remaining);
        }

        return new(entries, acks, done, null);
    }

    /// <summary>Decodes one IPCTNL_MSG_CT_NEW body (nfgenmsg + attributes); null when it lacks either tuple.</summary>
    public static ConntrackEntry? DecodeEntry(ReadOnlySpan<byte> body)
    {
        if (body.Length < NfGenMsgLength)
        {
            return null;
        }

        var family = body[0];
        ConntrackTuple? original = null, reply = null;
        uint status = 0, id = 0;
        ushort zone = 0;
        uint? mark = null, timeout = null;
        var attributes = new NetlinkAttributeReader(body[NfGenMsgLength..]);
        while (attributes.Next(out var type, out var value))
        {
            switch (type)
            {
                case CtaTupleOrig:
                    original = DecodeTuple(family, value);
                    break;
                case CtaTupleReply:
                    reply = DecodeTuple(family, value);
                    break;
                case CtaStatus when value.Length >= 4:
                    status = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CtaId when value.Length >= 4:
                    id = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CtaZone when value.Length >= 2:
                    zone = BinaryPrimitives.ReadUInt16BigEndian(value);
                    break;
                case CtaMark when value.Length >= 4:
                    mark = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
                case CtaTimeout when value.Length >= 4:
                    timeout = BinaryPrimitives.ReadUInt32BigEndian(value);
                    break;
            }
        }

        return original is null || reply is null ? null : new ConntrackEntry(family, original, reply, status, id, zone) { Mark = mark, TimeoutSeconds = timeout };
    }

    private static ConntrackTuple? DecodeTuple(byte family, ReadOnlySpan<byte> value)
    {
        IPAddress? source = null, destination = null;
        byte protocol = 0;
        ushort sourcePort = 0, destinationPort = 0;
        ushort? icmpId = null, zone = null;
        byte? icmpType = null, icmpCode = null;
        var attributes = new NetlinkAttributeReader(value);
        while (attributes.Next(out var type, out var inner))
        {
            switch (type)
            {
                case CtaTupleIp:
                    var ips = new NetlinkAttributeReader(inner);
                    while (ips.Next(out var ipType, out var ip))
                    {
                        switch (ipType, ip.Length, family)
                        {
                            case (CtaIpV4Src, 4, AfInet):
                                source = new IPAddress(ip);
                                break;
                            case (CtaIpV4Dst, 4, AfInet):
                                destination = new IPAddress(ip);
                                break;
                            case (CtaIpV6Src, 16, AfInet6):
                                source = new IPAddress(ip);
                                break;
                            case (CtaIpV6Dst, 16, AfInet6):
                                destination = new IPAddress(ip);
                                break;
                        }
                    }

                    break;
                case CtaTupleProto:
                    var protos = new NetlinkAttributeReader(inner);
                    while (protos.Next(out var protoType, out var p))
                    {
                        switch (protoType)
                        {
                            case CtaProtoNum when p.Length >= 1:
                                protocol = p[0];
                                break;
                            case CtaProtoSrcPort when p.Length >= 2:
                                sourcePort = BinaryPrimitives.ReadUInt16BigEndian(p);
                                break;
                            case CtaProtoDstPort when p.Length >= 2:
                                destinationPort = BinaryPrimitives.ReadUInt16BigEndian(p);
                                break;
                            case (CtaProtoIcmpId or CtaProtoIcmpv6Id) when p.Length >= 2:
                                icmpId = BinaryPrimitives.ReadUInt16BigEndian(p);
                                break;
                            case (CtaProtoIcmpType or CtaProtoIcmpv6Type) when p.Length >= 1:
                                icmpType = p[0];
                                break;
                            case (CtaProtoIcmpCode or CtaProtoIcmpv6Code) when p.Length >= 1:
                                icmpCode = p[0];
                                break;
                        }
                    }

                    break;
                case CtaTupleZone when inner.Length >= 2:
                    zone = BinaryPrimitives.ReadUInt16BigEndian(inner);
                    break;
            }
        }

        return source is null || destination is null
            ? null
            : new ConntrackTuple(source, destination, protocol, sourcePort, destinationPort) { IcmpId = icmpId, IcmpType = icmpType, IcmpCode = icmpCode, Zone = zone };
    }

    internal static uint Host32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    internal static ushort Host16(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    internal static void WriteHost32(Span<byte> s, uint v)
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

    internal static void WriteHost16(Span<byte> s, ushort v)
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

    /// <summary>Writes nlmsghdr + nfgenmsg; returns the offset of the first attribute.</summary>
    internal static int WriteHeaders(Span<byte> message, ushort type, ushort flags, uint sequence, byte family)
    {
        WriteHost32(message, (uint)message.Length);
        WriteHost16(message[4..], type);
        WriteHost16(message[6..], flags);
        WriteHost32(message[8..], sequence);
        WriteHost32(message[12..], 0); // the kernel fills in our port id
        message[16] = family;
        message[17] = NfnetlinkV0;
        message[18] = 0; // res_id, big-endian 0
        message[19] = 0;
        return HeaderLength + NfGenMsgLength;
    }

}
