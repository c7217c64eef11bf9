using System.Net;
using Rebound.Transport;

namespace Rebound.Tests.Transport;

public sealed class ProcSocketsTests
{
    [Fact]
    public void Parses_ipv4_and_ipv6_tables_in_the_kernels_byte_order()
    {
        const string udp = """
               sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              734: 00000000:A329 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81234 2 0000000000000000 0
              735: 0200A8C0:1092 1E7100CB:1092 01 00000000:00000000 00:00000000 00000000     0        0 81235 2 0000000000000000 0
            """;
        const string udp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              12: 00000000000000000000000000000000:A329 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 0
              13: B80D0120000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 100 2 0000000000000000 0
            """;

        var v4 = ProcSockets.Parse(udp, tcp: false, port: null).ToList();
        var v6 = ProcSockets.Parse(udp6, tcp: false, port: 53).ToList();

        Assert.Equal(IPEndPoint.Parse("0.0.0.0:41769"), v4[0].Local);
        Assert.Equal(81234, v4[0].Inode);
        Assert.Equal(IPEndPoint.Parse("192.168.0.2:4242"), v4[1].Local);
        Assert.Equal(IPEndPoint.Parse("203.0.113.30:4242"), v4[1].Remote);
        Assert.Equal(ProcSocket.TcpEstablished, v4[1].State);
        var one = Assert.Single(v6);
        Assert.Equal(IPEndPoint.Parse("[2001:db8::1]:53"), one.Local);
    }

    [Fact]
    public void Finds_the_process_holding_a_socket_in_this_process()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var procs = new ProcSockets();

        var mine = Assert.Single(procs.Udp(port));

        Assert.Equal(Environment.ProcessId, procs.OwnerOf(mine.Inode));
        Assert.Contains(mine.Inode, procs.InodesOf(Environment.ProcessId));
    }
}
