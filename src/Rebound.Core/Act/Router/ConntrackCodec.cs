using System.Buffers.Binary;
using System.Net;
using Rebound.Transport.Netlink;
using static Rebound.Act.Router.ConntrackConstants;
using static Rebound.Transport.Netlink.NetlinkFraming;

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
    public static ConntrackParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        var entries = new List<ConntrackEntry>();
        var acks = new List<ConntrackAck>();
        var done = false;
        var reader = new NetlinkMessageReader(buffer);
        while (reader.Next(out var header, out var body))
        {
            switch (header.Type)
            {
                case NlmsgDone:
                    done = true;
                    break;
                case NlmsgError when body.Length >= 4:
                    acks.Add(new ConntrackAck(header.Sequence, Errno(ReadInt32(body))));
                    break;
                case CtNew or CtDelete:
                    if (DecodeEntry(body) is { } entry)
                    {
                        entries.Add(entry);
                    }

                    break;
            }
        }

        return new(entries, acks, done, reader.Error);
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

    /// <summary>Writes nlmsghdr + nfgenmsg; returns the offset of the first attribute.</summary>
    internal static int WriteHeaders(Span<byte> message, ushort type, ushort flags, uint sequence, byte family)
    {
        new NetlinkHeader((uint)message.Length, type, flags, sequence, 0).Write(message); // the kernel fills in our port id
        message[16] = family;
        message[17] = NfnetlinkV0;
        message[18] = 0; // res_id, big-endian 0
        message[19] = 0;
        return NetlinkHeader.Size + NfGenMsgLength;
    }
}
