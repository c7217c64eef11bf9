using System.Buffers.Binary;
using System.Net.Sockets;
using Rebound.Transport.Netlink;
using static Rebound.Act.Router.ConntrackConstants;

namespace Rebound.Act.Router;

/// <summary>
/// IPCTNL_MSG_CT_DELETE with NLM_F_ACK for exactly one entry: its original tuple, its zone and its CTA_ID. The kernel
/// looks the entry up by tuple and refuses (ENOENT) when the id differs, so a flow recreated meanwhile under the
/// same tuple (already remapped to the live WAN) is never deleted by mistake.
/// </summary>
public static class ConntrackDeleteRequest
{
    private const ushort Flags = NetlinkFraming.NlmFRequest | NetlinkFraming.NlmFAck;

    public static byte[] Create(ConntrackEntry entry, uint sequence)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var tuple = entry.Original;
        var v6 = tuple.Source.AddressFamily == AddressFamily.InterNetworkV6;
        var addressLength = v6 ? 16 : 4;
        var icmp = tuple.Protocol is IpprotoIcmp or IpprotoIcmpv6;
        var ipLength = 4 + (2 * Attr(addressLength));
        var protoLength = 4 + Attr(1) + (icmp ? Attr(2) + (2 * Attr(1)) : 2 * Attr(2));
        var tupleLength = 4 + ipLength + protoLength;
        var length = NetlinkHeader.Size + NfGenMsgLength + tupleLength + Attr(2) + Attr(4);
        var message = new byte[length];
        var at = ConntrackCodec.WriteHeaders(message, CtDelete, Flags, sequence, v6 ? AfInet6 : AfInet);

        at = Nest(message, at, CtaTupleOrig, tupleLength);
        at = Nest(message, at, CtaTupleIp, ipLength);
        at = Put(message, at, v6 ? CtaIpV6Src : CtaIpV4Src, addressLength, v => tuple.Source.TryWriteBytes(v, out _));
        at = Put(message, at, v6 ? CtaIpV6Dst : CtaIpV4Dst, addressLength, v => tuple.Destination.TryWriteBytes(v, out _));
        at = Nest(message, at, CtaTupleProto, protoLength);
        at = Put(message, at, CtaProtoNum, 1, v => v[0] = tuple.Protocol);
        if (icmp)
        {
            var v6Icmp = tuple.Protocol == IpprotoIcmpv6;
            at = Put(message, at, v6Icmp ? CtaProtoIcmpv6Id : CtaProtoIcmpId, 2, v => BinaryPrimitives.WriteUInt16BigEndian(v, tuple.IcmpId ?? 0));
            at = Put(message, at, v6Icmp ? CtaProtoIcmpv6Type : CtaProtoIcmpType, 1, v => v[0] = tuple.IcmpType ?? 0);
            at = Put(message, at, v6Icmp ? CtaProtoIcmpv6Code : CtaProtoIcmpCode, 1, v => v[0] = tuple.IcmpCode ?? 0);
        }
        else
        {
            at = Put(message, at, CtaProtoSrcPort, 2, v => BinaryPrimitives.WriteUInt16BigEndian(v, tuple.SourcePort));
            at = Put(message, at, CtaProtoDstPort, 2, v => BinaryPrimitives.WriteUInt16BigEndian(v, tuple.DestinationPort));
        }

        at = Put(message, at, CtaZone, 2, v => BinaryPrimitives.WriteUInt16BigEndian(v, entry.Zone));
        at = Put(message, at, CtaId, 4, v => BinaryPrimitives.WriteUInt32BigEndian(v, entry.Id));
        return at == length ? message : throw new InvalidOperationException($"delete request length {at} != {length}");
    }

    private static int Attr(int payload) => NetlinkFraming.Align(4 + payload);

    private delegate void ValueWriter(Span<byte> value);

    private static int Nest(byte[] message, int at, ushort type, int totalLength)
    {
        NetlinkFraming.WriteUInt16(message.AsSpan(at), (ushort)totalLength);
        NetlinkFraming.WriteUInt16(message.AsSpan(at + 2), (ushort)(type | NlaFNested));
        return at + 4;
    }

    private static int Put(byte[] message, int at, ushort type, int payload, ValueWriter write)
    {
        NetlinkFraming.WriteUInt16(message.AsSpan(at), (ushort)(4 + payload));
        NetlinkFraming.WriteUInt16(message.AsSpan(at + 2), type);
        write(message.AsSpan(at + 4, payload));
        return at + Attr(payload);
    }
}
