using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Rebound.Act.WireGuard;

/// <summary>One ICMP echo: whether an answer came, and how long it took.</summary>
public readonly record struct PingResult(bool Answered, TimeSpan RoundTrip, string? Error = null)
{
    public string Describe(IPAddress address, TimeSpan timeout) =>
        Answered ? $"ping {address}: answered in {RoundTrip.TotalMilliseconds:0.0} ms"
        : Error is not null ? $"ping {address}: {Error}"
        : $"ping {address}: no answer within {timeout.TotalMilliseconds:0} ms";
}

/// <summary>Sends one echo request and waits for its answer. Never throws for network reasons: those are a failed ping.</summary>
public interface IEchoPinger
{
    ValueTask<PingResult> PingAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>
/// ICMP echo over a raw socket (root, or CAP_NET_RAW), falling back to a datagram ICMP socket
/// (net.ipv4.ping_group_range). Our own socket instead of System.Net.NetworkInformation.Ping so that the socket
/// can be opened inside another network namespace (<see cref="IcmpEchoPinger(TimeProvider, Func{AddressFamily, Socket})"/>)
/// and no ping process is ever started.
/// </summary>
public sealed class IcmpEchoPinger(TimeProvider timeProvider, Func<AddressFamily, Socket> openSocket) : IEchoPinger
{
    private readonly ushort _identifier = (ushort)RandomNumberGenerator.GetInt32(1, 65536);
    private int _sequence;

    public IcmpEchoPinger(TimeProvider timeProvider)
        : this(timeProvider, OpenDefault)
    {
    }

    /// <summary>A raw ICMP socket for the family, or a datagram ICMP socket when raw ones are not allowed.</summary>
    public static Socket OpenDefault(AddressFamily family)
    {
        var protocol = family == AddressFamily.InterNetworkV6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        try
        {
            return new Socket(family, SocketType.Raw, protocol);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied or SocketError.ProtocolNotSupported)
        {
            return new Socket(family, SocketType.Dgram, protocol);
        }
    }

    public async ValueTask<PingResult> PingAsync(IPAddress address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var sequence = (ushort)Interlocked.Increment(ref _sequence);
        var request = new byte[16];
        request[0] = v6 ? (byte)128 : (byte)8;
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(4), _identifier);
        BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(6), sequence);
        "rebound!"u8.CopyTo(request.AsSpan(8));
        if (!v6)
            BinaryPrimitives.WriteUInt16BigEndian(request.AsSpan(2), Checksum(request)); // the kernel does ICMPv6's

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var started = timeProvider.GetTimestamp();
        try
        {
            using var socket = openSocket(address.AddressFamily);
            var raw = socket.SocketType == SocketType.Raw;
            await socket.SendToAsync(request, SocketFlags.None, new IPEndPoint(address, 0), linked.Token).ConfigureAwait(false);
            var buffer = new byte[1500];
            EndPoint any = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
            while (true)
            {
                var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, linked.Token).ConfigureAwait(false);
                if (r.RemoteEndPoint is IPEndPoint from && from.Address.Equals(address)
                    && IsReply(buffer.AsSpan(0, r.ReceivedBytes), v6, raw, raw ? _identifier : null))
                {
                    return new PingResult(true, timeProvider.GetElapsedTime(started));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new PingResult(false, timeProvider.GetElapsedTime(started));
        }
        catch (SocketException ex)
        {
            return new PingResult(false, timeProvider.GetElapsedTime(started), ex.Message);
        }
    }

    /// <summary>
    /// An echo reply with our identifier (raw sockets; datagram sockets rewrite it and deliver only their own).
    /// Any sequence number: a late answer to an earlier echo still shows the path works (slow links, LTE).
    /// </summary>
    internal static bool IsReply(ReadOnlySpan<byte> packet, bool v6, bool hasIpHeader, ushort? identifier)
    {
        if (!v6 && hasIpHeader)
        {
            if (packet.Length < 20 || packet[0] >> 4 != 4)
                return false;
            var headerLength = (packet[0] & 0x0F) * 4;
            if (headerLength < 20 || packet.Length < headerLength)
                return false;
            packet = packet[headerLength..];
        }

        return packet.Length >= 8
            && packet[0] == (v6 ? 129 : 0)
            && (identifier is null || BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) == identifier);
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (data.Length % 2 == 1)
            sum += (uint)data[^1] << 8;
        while (sum >> 16 != 0)
            sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
