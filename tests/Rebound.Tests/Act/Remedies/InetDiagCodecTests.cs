using System.Net;
using Rebound.Act.Remedies;

namespace Rebound.Tests.Act.Remedies;

public sealed class InetDiagCodecTests
{
    [Fact]
    public void Parses_the_kernels_dump_with_addresses_cookie_inode_and_tcp_info()
    {
        var result = InetDiagCodec.Parse(Convert.FromHexString(RemedyVectors.SockDiagDumpHex));

        Assert.Null(result.Error);
        Assert.True(result.Done);
        Assert.Equal(2, result.Sockets.Count);
        var client = Assert.Single(result.Sockets, s => s.Local.Port == 40123);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.9.0.2"), 40123), client.Local);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.9.0.1"), 8443), client.Remote);
        Assert.Equal(InetDiagConstants.TcpEstablished, client.State);
        Assert.Equal(2ul, client.Cookie);
        Assert.Equal(0xdf6eu, client.Inode);
        Assert.NotNull(client.Times);
        var server = Assert.Single(result.Sockets, s => s.Local.Port == 8443);
        Assert.Equal(1ul, server.Cookie);
        Assert.Equal(0xdf6fu, server.Inode);
    }

    [Fact]
    public void Destroy_request_is_byte_for_byte_the_one_the_kernel_accepted()
    {
        var client = InetDiagCodec.Parse(Convert.FromHexString(RemedyVectors.SockDiagDumpHex)).Sockets.Single(s => s.Local.Port == 40123);

        var request = InetDiagCodec.DestroyRequest(client, 9);

        Assert.Equal(RemedyVectors.DestroyClientHex, Convert.ToHexString(request).ToLowerInvariant());
    }

    [Fact]
    public void Parses_the_acknowledgement_of_a_destroy()
    {
        var ack = Assert.Single(InetDiagCodec.Parse(Convert.FromHexString(RemedyVectors.DestroyAckHex)).Acks);

        Assert.Equal(new InetDiagAck(9, 0), ack);
    }

    [Fact]
    public void Dump_request_asks_tcp_of_one_family_with_tcp_info()
    {
        var request = InetDiagCodec.DumpRequest(7, InetDiagConstants.AfInet6, 1u << InetDiagConstants.TcpEstablished);

        Assert.Equal(16 + InetDiagConstants.RequestLength, request.Length);
        Assert.Equal(InetDiagConstants.SockDiagByFamily, BitConverter.ToUInt16(request, 4));
        Assert.Equal(0x301, BitConverter.ToUInt16(request, 6)); // REQUEST | DUMP
        Assert.Equal(7u, BitConverter.ToUInt32(request, 8));
        Assert.Equal([InetDiagConstants.AfInet6, InetDiagConstants.IpprotoTcp, InetDiagConstants.ExtInfo], request[16..19]);
        Assert.Equal(2u, BitConverter.ToUInt32(request, 20));
    }

    [Fact]
    public void Truncated_input_never_throws_and_keeps_what_came_before()
    {
        var dump = Convert.FromHexString(RemedyVectors.SockDiagDumpHex);
        for (var cut = 0; cut < dump.Length; cut += 7)
        {
            var result = InetDiagCodec.Parse(dump.AsSpan(0, cut));
            Assert.True(result.Sockets.Count <= 2);
        }

        Assert.Null(InetDiagCodec.DecodeSocket(new byte[10]));
    }
}
