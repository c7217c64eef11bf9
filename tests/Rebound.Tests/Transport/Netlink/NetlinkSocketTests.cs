using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Rebound.Sense.Netlink;
using Rebound.Transport.Netlink;

namespace Rebound.Tests.Transport.Netlink;

/// <summary>Talks to the real kernel: dumps of links and of TCP sockets need no privileges, so this runs unprivileged.</summary>
public sealed class NetlinkSocketTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_link_dump_of_this_namespace_sees_lo()
    {
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Route);
        Assert.NotEqual(0u, socket.PortId);

        await socket.SendAsync(NetlinkCodec.CreateDumpRequest(NetlinkConstants.RtmGetLink, 77), Ct);
        var links = new List<LinkMessage>();
        var buffer = new byte[256 * 1024];
        var done = false;
        while (!done)
        {
            var length = await ReceiveAsync(socket, buffer);
            var result = NetlinkCodec.Parse(buffer.AsSpan(0, length));
            Assert.True(result.IsComplete, result.Error);
            foreach (var message in result.Messages)
            {
                Assert.Equal(77u, message.Header.Sequence);
                Assert.Equal(socket.PortId, message.Header.PortId);
                done |= message is DoneMessage;
                if (message is LinkMessage link)
                {
                    links.Add(link);
                }
            }
        }

        var lo = Assert.Single(links, l => l.Name == "lo");
        Assert.True(lo.IsLoopback);
    }

    [Fact]
    public async Task The_monitor_starts_on_the_real_socket_of_this_namespace()
    {
        await using var monitor = new LocalNetworkMonitor();
        await monitor.StartAsync(Ct);

        Assert.Equal(1, monitor.DumpCount);
        Assert.DoesNotContain(monitor.Current.Addresses, a => System.Net.IPAddress.IsLoopback(a.Address));
    }

    [Fact]
    public void Sequence_numbers_count_up_per_socket_and_are_never_0()
    {
        using var first = NetlinkSocket.Open(NetlinkProtocol.Route);
        using var second = NetlinkSocket.Open(NetlinkProtocol.Route);

        Assert.Equal([1u, 2u, 3u], new[] { first.NextSequence(), first.NextSequence(), first.NextSequence() });
        Assert.Equal(1u, second.NextSequence());
        Assert.NotEqual(first.PortId, second.PortId);
    }

    /// <summary>
    /// The same socket type speaks another protocol with nothing but its own request bytes: a NETLINK_SOCK_DIAG dump
    /// (SOCK_DIAG_BY_FAMILY, struct inet_diag_req_v2 of linux/inet_diag.h) finds a TCP listener this test opened.
    /// </summary>
    [Fact]
    public async Task A_sock_diag_dump_over_the_same_socket_type_finds_our_tcp_listener()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = (ushort)((IPEndPoint)listener.LocalEndpoint).Port;
        using var socket = NetlinkSocket.Open(NetlinkProtocol.SockDiag);
        var sequence = socket.NextSequence();

        var request = new byte[NetlinkHeader.Size + 56];
        new NetlinkHeader((uint)request.Length, 20, NetlinkFraming.NlmFRequest | NetlinkFraming.NlmFDump, sequence, 0).Write(request);
        request[16] = 2;  // sdiag_family AF_INET
        request[17] = 6;  // sdiag_protocol IPPROTO_TCP
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(20), 1u << 10); // idiag_states: TCP_LISTEN
        await socket.SendAsync(request, Ct);

        var ports = new List<ushort>();
        var buffer = new byte[64 * 1024];
        for (var done = false; !done;)
        {
            var reader = new NetlinkMessageReader(buffer.AsSpan(0, await ReceiveAsync(socket, buffer)));
            while (reader.Next(out var header, out var body))
            {
                Assert.Equal(sequence, header.Sequence);
                Assert.NotEqual(NetlinkFraming.NlmsgError, header.Type);
                done |= header.Type == NetlinkFraming.NlmsgDone;
                if (header.Type == 20 && body.Length >= 8)
                    ports.Add(BinaryPrimitives.ReadUInt16BigEndian(body[4..])); // inet_diag_msg.id.idiag_sport
            }

            Assert.Null(reader.Error);
        }

        Assert.Contains(port, ports);
    }

    private static async Task<int> ReceiveAsync(NetlinkSocket socket, byte[] buffer)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await socket.ReceiveAsync(buffer, timeout.Token);
    }
}
