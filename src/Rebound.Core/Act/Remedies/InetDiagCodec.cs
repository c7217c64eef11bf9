using System.Buffers.Binary;
using System.Net;
using Rebound.Transport.Netlink;
using static Rebound.Act.Remedies.InetDiagConstants;

namespace Rebound.Act.Remedies;

/// <summary>An acknowledgement or error (NLMSG_ERROR) for request <paramref name="Sequence"/>; errno 0 is success.</summary>
public readonly record struct InetDiagAck(uint Sequence, int Errno);

/// <summary>What one buffer from a NETLINK_SOCK_DIAG socket held; <see cref="Error"/> is the first structural problem.</summary>
public sealed record InetDiagParseResult(IReadOnlyList<InetDiagSocket> Sockets, IReadOnlyList<InetDiagAck> Acks, bool Done, string? Error);

/// <summary>
/// Pure sock_diag (inet_diag) codec over spans: the dump request, SOCK_DESTROY, and parsing the answers. Ports and
/// addresses are big-endian; the rest of the structures (states, interface, cookie, uid, inode) are host order.
/// </summary>
public static class InetDiagCodec
{
    /// <summary>SOCK_DIAG_BY_FAMILY dump of one family's TCP sockets in <paramref name="states"/> (a 1 &lt;&lt; state mask), with tcp_info.</summary>
    public static byte[] DumpRequest(uint sequence, byte family, uint states)
    {
        var message = new byte[NetlinkHeader.Size + RequestLength];
        new NetlinkHeader((uint)message.Length, SockDiagByFamily, NetlinkFraming.NlmFRequest | NetlinkFraming.NlmFDump, sequence, 0).Write(message);
        var body = message.AsSpan(NetlinkHeader.Size);
        body[0] = family;
        body[1] = IpprotoTcp;
        body[2] = ExtInfo;
        NetlinkFraming.WriteUInt32(body[4..], states);
        return message;
    }

    /// <summary>SOCK_DESTROY with NLM_F_ACK for exactly this socket (its 4-tuple, interface and cookie).</summary>
    public static byte[] DestroyRequest(InetDiagSocket socket, uint sequence)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var message = new byte[NetlinkHeader.Size + RequestLength];
        new NetlinkHeader((uint)message.Length, SockDestroy, NetlinkFraming.NlmFRequest | NetlinkFraming.NlmFAck, sequence, 0).Write(message);
        var body = message.AsSpan(NetlinkHeader.Size);
        body[0] = socket.Family;
        body[1] = IpprotoTcp;
        NetlinkFraming.WriteUInt32(body[4..], AllStates);
        WriteSockId(body[8..], socket);
        return message;
    }

    public static InetDiagParseResult Parse(ReadOnlySpan<byte> buffer)
    {
        var sockets = new List<InetDiagSocket>();
        var acks = new List<InetDiagAck>();
        var done = false;
        var reader = new NetlinkMessageReader(buffer);
        while (reader.Next(out var header, out var body))
        {
            switch (header.Type)
            {
                case NetlinkFraming.NlmsgDone:
                    done = true;
                    break;
                case NetlinkFraming.NlmsgError when body.Length >= 4:
                    acks.Add(new InetDiagAck(header.Sequence, NetlinkFraming.Errno(NetlinkFraming.ReadInt32(body))));
                    break;
                case SockDiagByFamily:
                    if (DecodeSocket(body) is { } socket)
                        sockets.Add(socket);
                    break;
            }
        }

        return new(sockets, acks, done, reader.Error);
    }

    /// <summary>One inet_diag_msg and its attributes; null when it is too short or of a family we do not read.</summary>
    public static InetDiagSocket? DecodeSocket(ReadOnlySpan<byte> body)
    {
        if (body.Length < MessageLength)
            return null;
        var family = body[0];
        if (family is not (AfInet or AfInet6))
            return null;
        var id = body.Slice(4, SockIdLength);
        var addressLength = family == AfInet ? 4 : 16;
        var local = new IPEndPoint(new IPAddress(id.Slice(4, addressLength)), BinaryPrimitives.ReadUInt16BigEndian(id));
        var remote = new IPEndPoint(new IPAddress(id.Slice(20, addressLength)), BinaryPrimitives.ReadUInt16BigEndian(id[2..]));
        var socket = new InetDiagSocket(
            family,
            body[1],
            local,
            remote,
            NetlinkFraming.ReadUInt32(id[36..]),
            BinaryPrimitives.ReadUInt64LittleEndian(id[40..]), // kept as the kernel's 8 bytes, written back the same way
            NetlinkFraming.ReadUInt32(body[64..]),
            NetlinkFraming.ReadUInt32(body[68..]));
        var attributes = new NetlinkAttributeReader(body[MessageLength..]);
        while (attributes.Next(out var type, out var value))
        {
            if (type == AttrInfo && value.Length >= TcpInfoMinimumLength)
            {
                socket = socket with
                {
                    Times = new TcpTimes(
                        NetlinkFraming.ReadUInt32(value[TcpInfoLastDataRecvOffset..]),
                        NetlinkFraming.ReadUInt32(value[TcpInfoLastAckRecvOffset..]),
                        NetlinkFraming.ReadUInt32(value[TcpInfoUnackedOffset..])),
                };
            }
        }

        return socket;
    }

    private static void WriteSockId(Span<byte> id, InetDiagSocket socket)
    {
        BinaryPrimitives.WriteUInt16BigEndian(id, (ushort)socket.Local.Port);
        BinaryPrimitives.WriteUInt16BigEndian(id[2..], (ushort)socket.Remote.Port);
        socket.Local.Address.TryWriteBytes(id.Slice(4, 16), out _);
        socket.Remote.Address.TryWriteBytes(id.Slice(20, 16), out _);
        NetlinkFraming.WriteUInt32(id[36..], socket.Interface);
        BinaryPrimitives.WriteUInt64LittleEndian(id[40..], socket.Cookie);
    }
}
